"""Keep a running stack running: restart a dead child with backoff, give up on a crash loop.

`bwperf up` polls every child it started (PostgreSQL, Valkey, the API, the worker, the LLM
emulator). A dead one is restarted on the same port, data directory and environment, so clients
reconnect by themselves, after a delay that doubles from `initial_backoff_s` to `max_backoff_s`
with each restart inside the window; the others keep serving meanwhile. A child that dies more
than `max_restarts` times within `window_s` is a crash loop: `CrashLoop` says which and why, and
the caller stops the whole stack.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .processes import ManagedProcess, StackError

if TYPE_CHECKING:
    from .running import RunningStack


class CrashLoop(StackError):
    """A child kept dying; the message names it, its last exit and the tail of its log."""


POSTGRES_RECOVERY_S = 600.0


@dataclass(frozen=True)
class RestartPolicy:
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 10.0
    max_restarts: int = 5       # within window_s; one more death gives up
    window_s: float = 60.0
    poll_s: float = 0.2         # how often children are checked (adds up to this to the downtime)

    def delay_s(self, recent_restarts: int) -> float:
        return min(self.max_backoff_s, self.initial_backoff_s * 2 ** recent_restarts)


@dataclass(frozen=True)
class Restarted:
    """One restart, as logged: which child, how it ended, its restart number, how long it was down."""

    name: str
    exit: str
    number: int
    downtime_s: float


@dataclass
class Supervised:
    """A child to watch: `process()` gives its current process, `restart()` starts it again and
    returns once it serves (or raises)."""

    name: str
    process: Callable[[], ManagedProcess | None]
    restart: Callable[[], object]
    restarts: int = 0
    _recent: deque[float] = field(default_factory=deque, repr=False)
    _down_since: float | None = field(default=None, repr=False)
    _exit: str = field(default="", repr=False)
    _next_attempt: float = field(default=0.0, repr=False)


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class Supervisor:
    def __init__(self, children: list[Supervised], *, policy: RestartPolicy = RestartPolicy(),
                 log: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic) -> None:
        self.children = children
        self.policy = policy
        self.log = log
        self.clock = clock
        self.history: list[Restarted] = []

    @classmethod
    def for_stack(cls, stack: "RunningStack", **options: object) -> "Supervisor":
        """Watch every process `stack` started: its data servers first (the services need them)."""
        children: list[Supervised] = []
        if stack.postgres is not None:
            server = stack.postgres
            # After kill -9 PostgreSQL replays its WAL first (up to max_wal_size=4GB after a bulk
            # seed): wait while the postmaster lives; a dead one fails the restart at once.
            children.append(Supervised("postgres", lambda: server.process,
                                       lambda: server.start(timeout_s=POSTGRES_RECOVERY_S)))
        if stack.valkey is not None:
            broker = stack.valkey
            children.append(Supervised("valkey", lambda: broker.process, broker.start))
        for name in list(stack.processes):
            children.append(Supervised(name, lambda name=name: stack.processes.get(name),
                                       lambda name=name: stack.restart_service(name)))
        return cls(children, **options)  # type: ignore[arg-type]

    def run(self, *, until: Callable[[], bool] = lambda: False) -> None:
        """Check every `poll_s` until `until()` is true; raises CrashLoop on a crash loop."""
        while not until():
            self.check()
            time.sleep(self.policy.poll_s)

    def check(self) -> list[Restarted]:
        """One pass: note deaths, restart children whose backoff has elapsed."""
        done: list[Restarted] = []
        for child in self.children:
            if child._down_since is None:
                process = child.process()
                if process is None or process.is_running():
                    continue
                child._down_since = self.clock()
                child._exit = describe_exit(process.popen.returncode)
                self._schedule(child, process)
            if self.clock() >= child._next_attempt:
                restarted = self._attempt(child)
                if restarted is not None:
                    done.append(restarted)
        return done

    def _schedule(self, child: Supervised, process: ManagedProcess | None) -> None:
        """Plan the next attempt after a death, or give up if the child is in a crash loop."""
        now = self.clock()
        while child._recent and now - child._recent[0] > self.policy.window_s:
            child._recent.popleft()
        if len(child._recent) >= self.policy.max_restarts:
            tail = process.log_tail(10) if process is not None else ""
            where = f"; last lines of {process.log_path}:\n{tail}" if process is not None else ""
            raise CrashLoop(f"{child.name} died {len(child._recent) + 1} times within "
                            f"{self.policy.window_s:.0f} s (last: {child._exit}); giving up{where}")
        child._next_attempt = now + self.policy.delay_s(len(child._recent))

    def _attempt(self, child: Supervised) -> Restarted | None:
        child._recent.append(self.clock())
        child.restarts += 1
        try:
            child.restart()
        except Exception as exc:  # noqa: BLE001 - any failure to come back is one more death
            process = child.process()
            if process is not None and process.is_running():
                process.stop(timeout_s=5)
            child._exit = f"restart failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            self.log(f"{child.name}: restart {child.restarts} failed ({child._exit})")
            self._schedule(child, process)
            return None
        assert child._down_since is not None
        restarted = Restarted(child.name, child._exit, child.restarts, self.clock() - child._down_since)
        child._down_since = None
        self.history.append(restarted)
        self.log(f"{child.name} {restarted.exit}: restart {restarted.number}, "
                 f"back after {restarted.downtime_s:.2f} s down")
        return restarted
