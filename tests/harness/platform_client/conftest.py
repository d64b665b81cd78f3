"""Fixtures for the platform client's tests: the real API (`python -m app api`) and the LLM
emulator, started by the fault lab on the session's embedded PostgreSQL and Valkey, and two
misbehaving local servers (one that never answers, one that redirects elsewhere)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.faults.lab import FaultLab, PlatformProcess


@pytest.fixture(scope="module")
def lab(pg, valkey, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultLab]:
    fault_lab = FaultLab.attach(tmp_path_factory.mktemp("client-lab"), postgres=pg, valkey=valkey)
    yield fault_lab
    fault_lab.close()


@pytest.fixture(scope="module")
def api(lab: FaultLab) -> PlatformProcess:
    return lab.api(rate_limit_profile="loadtest")


@pytest.fixture(scope="module")
def emulator(lab: FaultLab) -> PlatformProcess:
    return lab.emulator(latency_ms=5.0)


@pytest.fixture(scope="module")
def mission_id(lab: FaultLab, api: PlatformProcess) -> int:
    """A mission 1 km from the bodies' San Francisco point."""
    ((identifier,),) = lab.sql("INSERT INTO missions (title, description, domain, latitude, longitude) "
                               "VALUES ('client test', 'client test', 'environmental_protection', 37.78, -122.42) "
                               "RETURNING id")
    return int(identifier)


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def refused_url() -> str:
    """A port nothing listens on (bound and closed a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(302)
        self.send_header("Location", "http://example.invalid/health")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting_url() -> Iterator[str]:
    """A server whose every GET answers 302 to another host."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closing_url() -> Iterator[str]:
    """A port whose every connection is accepted and closed at once, before any answer."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            connection.recv(65536)
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
