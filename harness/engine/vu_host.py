"""The gevent implementation of `VuHost`: runs one scenario's virtual users as greenlets.

Pooled VUs (arrival-rate executors) park themselves in an idle queue and wait for a ticket;
`try_hand` gives a ticket to the longest idle VU at once or reports that none is idle (the
dispatcher then counts a drop, or, with `saturation: queue`, `enqueue`s the ticket: a VU that
finishes an iteration takes the oldest queued ticket before going idle). Looping VUs run
iterations while their executor's condition holds. Every iteration records its start lag (actual -
scheduled), its duration, and, when it had a schedule, the time from its scheduled start to its end.

Imports gevent but not Locust: the VU objects come from a factory, so tests can run real
executors with fake VUs.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import gevent
from gevent.event import Event
from gevent.pool import Group

from harness.executors.base import Ticket
from harness.metrics.recorder import Recorder

logger = logging.getLogger(__name__)

INTERRUPT_GRACE_S = 5.0  # after Ctrl-C or an aborting threshold, iterations get this long


class IterationRunner(Protocol):
    def run_iteration(self) -> None: ...


class StoppableClock:
    """Monotonic time; sleeps end early when the run is stopped."""

    def __init__(self, stop_event: Event) -> None:
        self._stop = stop_event

    def now_s(self) -> float:
        return time.monotonic()

    def sleep_until(self, deadline_s: float) -> None:
        delay = deadline_s - time.monotonic()
        if delay > 0 and not self._stop.is_set():
            self._stop.wait(delay)


@dataclass
class _Vu:
    runner: IterationRunner
    wakeup: Event = field(default_factory=Event)
    ticket: Ticket | None = None
    ticket_was_queued: bool = False
    leave: bool = False
    greenlet: gevent.Greenlet | None = None


class GeventVuHost:
    def __init__(
        self,
        *,
        scenario: str,
        make_vu: Callable[[int], IterationRunner],
        recorder: Recorder,
        stop_event: Event,
        warn: Callable[[str], None],
    ) -> None:
        self.scenario = scenario
        self.clock = StoppableClock(stop_event)
        self._make_vu = make_vu
        self._recorder = recorder
        self._stop = stop_event
        self._warn = warn
        self._warned: set[str] = set()
        self._group = Group()
        self._idle: deque[_Vu] = deque()  # FIFO like k6's VU channel: work (and keys) spread over VUs
        self._queued: deque[Ticket] = deque()  # saturation: queue; oldest first
        self._looping: dict[int, list[_Vu]] = {}
        self._closing = False
        self.allocated = 0
        self.busy = 0
        self._peak_allocated = 0  # since the last gauge reading

    # -- VuHost protocol ------------------------------------------------------------------------
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def start_pooled_vu(self) -> bool:
        if self._closing:
            return False
        vu = self._new_vu(self.allocated)
        if self._queued:  # a VU added because tickets wait takes the oldest at once
            vu.ticket, vu.ticket_was_queued = self._queued.popleft(), True
            vu.wakeup.set()
        else:
            self._idle.append(vu)  # idle from now on: pre-allocated VUs can take the first ticket
        vu.greenlet = self._group.spawn(self._pooled_loop, vu)
        return True

    def try_hand(self, ticket: Ticket) -> bool:
        if not self._idle or self._queued:  # queued tickets go first
            return False
        vu = self._idle.popleft()
        vu.ticket = ticket
        vu.wakeup.set()
        return True

    def enqueue(self, ticket: Ticket, *, limit: int) -> bool:
        if len(self._queued) >= limit or self._closing:
            return False
        self._queued.append(ticket)
        return True

    def start_looping_vu(self, *, vu_index: int, keep_going: Callable[[int], bool]) -> None:
        if self._closing:
            return
        vu = self._new_vu(vu_index)
        self._looping.setdefault(vu_index, []).append(vu)
        vu.greenlet = self._group.spawn(self._looping_loop, vu, keep_going)

    def stop_looping_vus(self, *, vu_indices: list[int], grace_s: float) -> None:
        for index in vu_indices:
            for vu in self._looping.pop(index, []):
                vu.leave = True
                if vu.greenlet is not None:
                    gevent.spawn_later(grace_s, vu.greenlet.kill, block=False)

    def record_drop(self, ticket: Ticket) -> None:
        self._recorder.record_drop(scenario=self.scenario)

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(message)

    def finish(self, *, deadline_s: float) -> None:
        self._closing = True
        if self._stop.is_set():  # runtimes call finish() at once after a stop: grace from now
            deadline_s = min(deadline_s, time.monotonic() + INTERRUPT_GRACE_S)
        for vu in self._idle:
            vu.ticket = None
            vu.wakeup.set()
        self._idle.clear()
        self._group.join(timeout=max(0.0, deadline_s - time.monotonic()))  # busy VUs drain the queue
        if len(self._group):
            self._group.kill(block=True, timeout=5.0)
        self._drop_queued()

    def _drop_queued(self) -> None:
        """Queued tickets no VU started before the end: scheduled and never run, so dropped."""
        while self._queued:
            self.record_drop(self._queued.popleft())

    def kill_all(self) -> None:
        """End every VU now (the session's hard deadline; a no-op after `finish`)."""
        self._closing = True
        if len(self._group):
            self._group.kill(block=True, timeout=5.0)
        self._drop_queued()

    # -- VU loops -------------------------------------------------------------------------------
    def read_allocated_peak(self) -> int:
        """The most VUs allocated at once since the last call: a scenario that starts and ends
        between two window closes still shows its VUs (a plain reading would see 0)."""
        peak, self._peak_allocated = max(self._peak_allocated, self.allocated), self.allocated
        return peak

    def _new_vu(self, vu_index: int) -> _Vu:
        self.allocated += 1
        self._peak_allocated = max(self._peak_allocated, self.allocated)
        return _Vu(runner=self._make_vu(vu_index))

    def _pooled_loop(self, vu: _Vu) -> None:
        try:
            while True:
                vu.wakeup.wait()
                vu.wakeup.clear()
                ticket, was_queued = vu.ticket, vu.ticket_was_queued
                vu.ticket, vu.ticket_was_queued = None, False
                if ticket is None:
                    return
                self._run_one(vu, ticket, queued=was_queued)
                while self._queued and not self._stop.is_set():  # closing too: the queue drains until the deadline
                    self._run_one(vu, self._queued.popleft(), queued=True)
                if self._closing:
                    return
                self._idle.append(vu)
        finally:
            self.allocated -= 1

    def _looping_loop(self, vu: _Vu, keep_going: Callable[[int], bool]) -> None:
        done = 0
        try:
            while not vu.leave and not self._stop.is_set() and keep_going(done):
                self._run_one(vu, None)
                done += 1
        finally:
            self.allocated -= 1

    def _run_one(self, vu: _Vu, ticket: Ticket | None, *, queued: bool = False) -> None:
        started_s = time.monotonic()
        lag_ms = None
        # Start lag is the generator's own delay; a queued ticket waited for the system (no VU was
        # free), which iteration_duration_scheduled shows, so it would misread as a slow generator.
        if ticket is not None and ticket.scheduled_s is not None and not queued:
            lag_ms = max(0.0, (started_s - ticket.scheduled_s) * 1000.0)
        self._recorder.record_iteration_start(scenario=self.scenario, lag_ms=lag_ms)
        self.busy += 1
        error = False
        try:
            vu.runner.run_iteration()
        except gevent.GreenletExit:
            raise
        except Exception as exc:  # a behaviour's bug must not end the run: count it, warn once
            error = True
            self.warn_once(f"exc:{type(exc).__name__}", f"scenario {self.scenario}: iteration failed: {exc!r}")
            logger.debug("iteration of %s failed", self.scenario, exc_info=True)
        finally:
            self.busy -= 1
        ended_s = time.monotonic()
        scheduled_ms = None
        if ticket is not None and ticket.scheduled_s is not None:
            scheduled_ms = max(0.0, ended_s - ticket.scheduled_s) * 1000.0
        self._recorder.record_iteration_end(scenario=self.scenario, duration_ms=(ended_s - started_s) * 1000.0,
                                            error=error, scheduled_duration_ms=scheduled_ms)
