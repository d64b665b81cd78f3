"""How the engine process stops early: SIGINT (Ctrl-C), SIGTERM (a stop request: `bwperf run`
forwards its own, which is what CI cancellation, `timeout` and docker send) and the end of the
`bwperf run` process that started it (killed with -9, say).

Before the load, a stop raises KeyboardInterrupt (exit 130, nothing written). During the load it
interrupts the run: the load stops, the result is written marked incomplete, and the engine exits
130 whatever the signal (README, "exit codes"). After the load it is only noted: the result is
being written. The parent's end is seen by Linux's parent-death signal (SIGTERM, so the same
path) and by a watch of the parent's pid (harness.lifeline); from then on the process exits
within HARD_EXIT_S whatever it is doing, since no one is left to stop it.

Python signal handlers, not gevent's: a cancelled `gevent.signal_handler` leaves the signal at
its default action (measured: a SIGTERM after the load then killed the engine mid-write).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import gevent
from gevent import monkey

from harness.errors import EXIT_INTERRUPTED
from harness.lifeline import parent_alive, watch_parent
from harness.results.model import INTERRUPTED_PREFIX

CTRL_C_REASON = f"{INTERRUPTED_PREFIX}Ctrl-C)"
SIGTERM_REASON = f"{INTERRUPTED_PREFIX}SIGTERM)"
PARENT_GONE_REASON = f"{INTERRUPTED_PREFIX}its bwperf run process ended)"
SIGNAL_REASONS = {signal.SIGINT: CTRL_C_REASON, signal.SIGTERM: SIGTERM_REASON}
STOP_REASONS = frozenset({*SIGNAL_REASONS.values(), PARENT_GONE_REASON})
HARD_EXIT_S = 10.0


class EngineStops:
    """The engine's stop requests, routed by phase (before, during or after the load)."""

    def __init__(self) -> None:
        self.requested: str | None = None  # the first stop's reason
        self._phase = "before"
        self._on_stop: Callable[[str], None] | None = None
        self._parent: int | None = None
        self._exit_armed = False

    def install(self, *, parent: int | None) -> None:
        """Handle SIGINT and SIGTERM; watch `parent` (the pid that started us) when given."""
        self._parent = parent
        for sig in SIGNAL_REASONS:
            signal.signal(sig, self._on_signal)
        if parent is not None:
            watch_parent(self._parent_gone, expected=parent)

    @contextmanager
    def load(self, on_stop: Callable[[str], None]) -> Iterator[None]:
        """While the block runs, a stop calls `on_stop(reason)` (in a greenlet of its own)."""
        self._on_stop, self._phase = on_stop, "load"
        if self.requested is not None:  # it came while the load was being set up
            gevent.spawn(on_stop, self.requested)
        try:
            yield
        finally:
            self._on_stop, self._phase = None, "after"

    def request_stop(self, reason: str) -> None:
        if self.requested is None:
            self.requested = reason
        if self._phase == "before":
            raise KeyboardInterrupt(reason)
        if self._phase == "load" and self._on_stop is not None:
            gevent.spawn(self._on_stop, reason)  # the interrupt may block (workers); never in a handler

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._parent is not None and not parent_alive(self._parent):
            self._parent_gone()  # the kernel's parent-death signal, not a person's
            return
        self.request_stop(SIGNAL_REASONS[signal.Signals(signum)])

    def _parent_gone(self) -> None:
        if self._exit_armed:  # the death signal and the watch both see it
            return
        self._exit_armed = True
        _exit_later(HARD_EXIT_S)
        if self._phase == "before":
            os._exit(EXIT_INTERRUPTED)  # nothing to save, and no one to tell
        self.request_stop(PARENT_GONE_REASON)


def _exit_later(delay_s: float) -> None:
    """Exit after `delay_s` from a real OS thread: a busy or stuck gevent hub cannot delay it."""
    start_thread = monkey.get_original("_thread", "start_new_thread")
    sleep = monkey.get_original("time", "sleep")

    def deadline() -> None:
        sleep(delay_s)
        os._exit(EXIT_INTERRUPTED)

    start_thread(deadline, ())
