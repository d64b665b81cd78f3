"""The live metrics' HTTP endpoint in the engine process (gevent, as the rest of the engine), and
the bounded wait at the end of a run for one scrape of the final state."""

from __future__ import annotations

import time

import gevent
from gevent.pywsgi import WSGIServer
from prometheus_client import CollectorRegistry, make_wsgi_app

from harness.errors import InputError
from harness.live.collector import LiveCollector

POLL_S = 0.05
STOP_TIMEOUT_S = 2.0


class MetricsServer:
    """Serves `/metrics` (any path, as prometheus-client does) from one LiveCollector."""

    def __init__(self, collector: LiveCollector, *, host: str, port: int) -> None:
        self.collector = collector
        self.host, self.port = host, port
        registry = CollectorRegistry(auto_describe=False)
        registry.register(collector)  # type: ignore[arg-type]
        self._server = WSGIServer((host, port), make_wsgi_app(registry), log=None)
        self._started = False

    def start(self) -> None:
        try:
            self._server.start()
        except OSError as error:
            raise InputError(f"--metrics-port {self.port}: cannot listen on {self.host}:{self.port} "
                             f"({error.strerror or error})") from None
        self._started = True

    def finish(self, *, linger_s: float) -> bool:
        """Serve until a scrape has read the state as it is now (call it once the state is final),
        at most `linger_s`; then stop. True when such a scrape happened."""
        if not self._started:
            return False
        seen = self.collector.scrapes
        deadline = time.monotonic() + linger_s
        try:
            while self.collector.scrapes == seen and time.monotonic() < deadline:
                gevent.sleep(POLL_S)
        except KeyboardInterrupt:
            pass  # Ctrl-C during the wait ends the wait, not the run's result
        finally:
            self.stop()
        return self.collector.scrapes > seen

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._server.stop(timeout=STOP_TIMEOUT_S)
