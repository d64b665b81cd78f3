"""A small closed-loop load for fault scenarios: N clients, each sending one request after another.

Every request is recorded with when it started, when its headers were sent, when it ended, its
status (or the client-side error) and its latency, on the monotonic clock, so a scenario can split
the outcomes around the moment it injected a fault. Each client opens a new connection per request
(`force_close`), so "the request was sent before the signal" has one meaning.

Bounded on purpose: every request has a client timeout, and the load stops at `stop()`, at
`max_requests`, or at `max_duration_s`, whichever comes first.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Self

import aiohttp

DEFAULT_REQUEST_TIMEOUT_S = 10.0
# Pause between a client's requests: keeps the load well below what saturates a 2-core machine.
DEFAULT_THINK_S = 0.01

# One request: given the session and the request's serial number, send it and return the status.
Call = Callable[["TracedSession", int], Awaitable[int]]


@dataclass(frozen=True)
class Outcome:
    """One request. Times are monotonic seconds; `status` is None when no response arrived."""

    client: int
    started_s: float
    ended_s: float
    status: int | None
    error: str | None = None
    headers_sent_s: float | None = None

    @property
    def latency_s(self) -> float:
        return self.ended_s - self.started_s

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def between(self, start_s: float, end_s: float) -> list[Outcome]:
        """Outcomes of requests started in [start_s, end_s)."""
        return [o for o in self.outcomes if start_s <= o.started_s < end_s]

    def by_status(self, outcomes: list[Outcome] | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes if outcomes is None else outcomes:
            key = str(outcome.status) if outcome.status is not None else f"error:{outcome.error}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))


def _tracing(sent: dict[int, float]) -> aiohttp.TraceConfig:
    """Records, per request, when its headers went out (the request was on the wire)."""
    trace = aiohttp.TraceConfig()

    async def headers_sent(session: aiohttp.ClientSession, context: SimpleNamespace, params: object) -> None:
        key = getattr(context.trace_request_ctx, "key", None) if context.trace_request_ctx else None
        if key is not None:
            sent[key] = time.monotonic()

    trace.on_request_headers_sent.append(headers_sent)
    return trace


class ClosedLoopLoad:
    """`clients` concurrent loops of `call`; run it as a task, `stop()` it, read `result`."""

    def __init__(
        self,
        call: Call,
        *,
        clients: int,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        think_s: float = DEFAULT_THINK_S,
        max_requests: int = 100_000,
        max_duration_s: float = 120.0,
    ) -> None:
        self._call = call
        self._clients = clients
        self._timeout = aiohttp.ClientTimeout(total=request_timeout_s)
        self._think_s = think_s
        self._max_requests = max_requests
        self._max_duration_s = max_duration_s
        self._stop = asyncio.Event()
        self._sent: dict[int, float] = {}
        self._serial = 0
        self.result = LoadResult()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> LoadResult:
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        async with aiohttp.ClientSession(connector=connector, timeout=self._timeout,
                                         trace_configs=[_tracing(self._sent)]) as session:
            deadline = time.monotonic() + self._max_duration_s
            await asyncio.gather(*(self._client(session, index, deadline) for index in range(self._clients)))
        return self.result

    async def _client(self, session: aiohttp.ClientSession, index: int, deadline: float) -> None:
        while not self._stop.is_set() and time.monotonic() < deadline and self._serial < self._max_requests:
            self._serial += 1
            key = self._serial
            started = time.monotonic()
            status: int | None = None
            error: str | None = None
            try:
                status = await self._call(TracedSession(session, key), key)
            except TimeoutError:
                error = "timeout"
            except aiohttp.ClientConnectorError:
                error = "refused"
            except aiohttp.ClientError as exc:
                error = type(exc).__name__
            ended = time.monotonic()
            self.result.outcomes.append(Outcome(index, started, ended, status, error, self._sent.pop(key, None)))
            if self._think_s:
                try:
                    await asyncio.wait_for(self._stop.wait(), self._think_s)
                except TimeoutError:
                    pass


class TracedSession:
    """The session, with every request tagged so the trace hook can find it."""

    def __init__(self, session: aiohttp.ClientSession, key: int) -> None:
        self._session = session
        self._ctx = SimpleNamespace(key=key)

    def request(self, method: str, url: str, **kwargs: object) -> aiohttp.client._RequestContextManager:
        return self._session.request(method, url, trace_request_ctx=self._ctx, **kwargs)  # type: ignore[arg-type]

    def get(self, url: str, **kwargs: object) -> aiohttp.client._RequestContextManager:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: object) -> aiohttp.client._RequestContextManager:
        return self.request("POST", url, **kwargs)


async def status_of(response_cm: aiohttp.client._RequestContextManager) -> int:
    """Send, read the whole body (a request is complete only with its body), return the status."""
    async with response_cm as response:
        await response.read()
        return response.status


class BackgroundLoads:
    """Run loads on an event loop in a thread of their own, so the calling thread is free to stop
    and start servers (blocking calls) while the load goes on and is measured undisturbed."""

    def __init__(self, *loads: ClosedLoopLoad) -> None:
        self.loads = loads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.error: BaseException | None = None

    def _main(self) -> None:
        async def run_all() -> None:
            self._loop = asyncio.get_running_loop()
            self._ready.set()
            await asyncio.gather(*(load.run() for load in self.loads))

        try:
            asyncio.run(run_all())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller at stop()
            self.error = exc
        finally:
            self._ready.set()

    def start(self) -> BackgroundLoads:
        self._thread = threading.Thread(target=self._main, name="fault-load", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def join(self, timeout_s: float) -> bool:
        """Wait for the loads to end by themselves (max_requests); True if they did."""
        if self._thread is not None:
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    def stop(self, *, timeout_s: float = 60.0) -> None:
        """Ask every load to stop, wait for the requests in flight to end (each has a timeout)."""
        if self._loop is not None and not self._loop.is_closed():
            for load in self.loads:
                try:
                    self._loop.call_soon_threadsafe(load.stop)
                except RuntimeError:  # the loop already finished
                    pass
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self.error is not None:
            raise self.error

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
