"""Child processes that die with their parent, even when the parent is killed with -9.

Two ways, both used: Linux's parent-death signal (PR_SET_PDEATHSIG: the kernel signals the child
when its parent ends) and, on every platform, a watch that compares `os.getppid()` with the
parent's pid every half second. The parent hands its pid to the child in `PARENT_PID_ENV`
(`child_env`), which also closes the race of a parent that died before the child set its signal:
the child's parent is then already someone else (init or a subreaper).

Caveat: Linux sends the parent-death signal when the parent *thread* that forked the child ends,
not the process. Fork from a thread that outlives the child (the main thread, a thread that waits
for the child, or harness.stack's long-lived spawner thread).

Imports only the standard library: any layer of the harness may use it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping

__all__ = [
    "PARENT_PID_ENV",
    "WATCH_INTERVAL_S",
    "child_env",
    "die_with_parent",
    "expected_parent",
    "parent_alive",
    "set_parent_death_signal",
    "watch_parent",
]

PARENT_PID_ENV = "BWPERF_PARENT_PID"
WATCH_INTERVAL_S = 0.5
_PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int) -> bool:
    """Linux: the kernel sends `sig` to this process when its parent (thread) ends. Safe between
    fork and exec (a `preexec_fn`); False where there is no such signal."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False  # the watch (watch_parent) still ends us


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must die with this process: `env` (default ours) and our pid."""
    return {**(os.environ if env is None else env), PARENT_PID_ENV: str(os.getpid())}


def expected_parent(env: Mapping[str, str] | None = None) -> int | None:
    """The pid our parent gave us (`child_env`), or None when it gave none (started by hand)."""
    value = (os.environ if env is None else env).get(PARENT_PID_ENV, "")
    return int(value) if value.isdigit() else None


def parent_alive(expected: int) -> bool:
    """Our parent is still the process that started us (a dead parent's children are re-parented)."""
    return os.getppid() == expected


def die_with_parent(sig: int = signal.SIGTERM, *, expected: int | None) -> bool:
    """Call first thing in the child: set the parent-death signal, then check the race it leaves
    open. False when the parent `expected` is already gone (the caller should exit at once)."""
    set_parent_death_signal(sig)
    return expected is None or parent_alive(expected)


def watch_parent(on_gone: Callable[[], None], *, expected: int, interval_s: float = WATCH_INTERVAL_S) -> threading.Thread:
    """Call `on_gone` once, from a daemon thread, within `interval_s` of the parent's end. Where
    gevent has patched threading (the engine), the thread is a greenlet: `on_gone` may then use gevent."""

    def watch() -> None:
        while parent_alive(expected):
            time.sleep(interval_s)
        on_gone()

    thread = threading.Thread(target=watch, name="bwperf-lifeline", daemon=True)
    thread.start()
    return thread
