"""A small closed-loop load for fault scenarios: N clients, each sending one request after another.

Every request is recorded with when it started, when its headers were sent, when it ended, its
status (or the client-side error) and its latency, on the monotonic clock, so a scenario can split
the outcomes around the moment it injected a fault. Each request goes on a new connection (no
keep-alive), so "the request was sent before the signal" has one meaning.

Bounded on purpose: every request has a client timeout, and the load stops at `stop()`, at
`max_requests`, or at `max_duration_s`, whichever comes first.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Self

from harness.platform_client import (
    AsyncPlatformClient,
    PlatformDisconnected,
    PlatformError,
    PlatformTimeout,
    PlatformUnreachable,
)

DEFAULT_REQUEST_TIMEOUT_S = 10.0
# Pause between a client's requests: keeps the load well below what saturates a 2-core machine.
DEFAULT_THINK_S = 0.01

# One request: given the client and the request's serial number, send it and return the status.
Call = Callable[[AsyncPlatformClient, int], Awaitable[int]]
# The serial number of the request the current task is sending, for the headers-sent hook.
_SENDING: ContextVar[int | None] = ContextVar("fault_load_request", default=None)


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


class ClosedLoopLoad:
    """`clients` concurrent loops of `call` on `base_url`; run it as a task, `stop()` it, read
    `result`. Every request has `request_timeout_s` in all (connecting, sending, the answer)."""

    def __init__(
        self,
        call: Call,
        *,
        base_url: str,
        clients: int,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        think_s: float = DEFAULT_THINK_S,
        max_requests: int = 100_000,
        max_duration_s: float = 120.0,
    ) -> None:
        self._call = call
        self._base_url = base_url
        self._clients = clients
        self._timeout_s = request_timeout_s
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
        async with AsyncPlatformClient(self._base_url, connect_timeout_s=self._timeout_s,
                                       read_timeout_s=self._timeout_s, max_connections=None, keep_alive=False,
                                       on_request_sent=self._headers_sent) as client:
            deadline = time.monotonic() + self._max_duration_s
            await asyncio.gather(*(self._client(client, index, deadline) for index in range(self._clients)))
        return self.result

    def _headers_sent(self) -> None:
        """The request this task is sending is on the wire."""
        key = _SENDING.get()
        if key is not None:
            self._sent[key] = time.monotonic()

    async def _client(self, client: AsyncPlatformClient, index: int, deadline: float) -> None:
        while not self._stop.is_set() and time.monotonic() < deadline and self._serial < self._max_requests:
            self._serial += 1
            key = self._serial
            started = time.monotonic()
            status: int | None = None
            error: str | None = None
            sending = _SENDING.set(key)
            try:
                async with asyncio.timeout(self._timeout_s):
                    status = await self._call(client, key)
            except (TimeoutError, PlatformTimeout):
                error = "timeout"
            except PlatformUnreachable:
                error = "refused"
            except PlatformDisconnected:
                error = "disconnected"
            except PlatformError as exc:
                error = type(exc).__name__
            finally:
                _SENDING.reset(sending)
            ended = time.monotonic()
            self.result.outcomes.append(Outcome(index, started, ended, status, error, self._sent.pop(key, None)))
            if self._think_s:
                try:
                    await asyncio.wait_for(self._stop.wait(), self._think_s)
                except TimeoutError:
                    pass


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
