"""Child processes that die with their parent and stop in order.

Every server the stack starts is a child of the `bwperf` process. Linux's parent-death signal
(PR_SET_PDEATHSIG) makes the kernel stop each child even if `bwperf` itself is killed with -9,
so no postgres, valkey or API process is ever left behind.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Collection
from typing import Mapping, Sequence

from harness.lifeline import set_parent_death_signal
from harness.platform_client import PlatformClient

HEALTH_POLL_TIMEOUT_S = 1.0


class StackError(RuntimeError):
    """A server of the stack could not be started or stopped; the message says which and why."""


@dataclass
class ManagedProcess:
    """A started child: its name (for messages), its Popen handle and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: int = signal.SIGTERM
    _stopped: bool = field(default=False, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, *, timeout_s: float = 15.0) -> int | None:
        """Signal, wait up to `timeout_s`, then kill. Returns the exit code."""
        if self._stopped or not self.is_running():
            self._stopped = True
            return self.popen.poll()
        self._stopped = True
        try:
            self.popen.send_signal(self.stop_signal)
            return self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(timeout=5)


class _Spawner:
    """One long-lived thread that forks every supervised child.

    Linux ties the parent-death signal to the forking *thread*, not the process: a child forked
    from a short-lived thread (a pool, asyncio.to_thread) would be killed when that thread ends.
    This daemon thread lives as long as the process, so children die with the process only."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[subprocess.Popen[bytes]], dict]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def popen(self, **kwargs: object) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="bwperf-spawner", daemon=True)
                self._thread.start()
        future: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((future, kwargs))
        return future.result()

    def _serve(self) -> None:
        while True:
            future, kwargs = self._jobs.get()
            try:
                future.set_result(subprocess.Popen(**kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                future.set_exception(exc)


_SPAWNER = _Spawner()


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    stop_signal: int = signal.SIGTERM,
) -> ManagedProcess:
    """Start `argv` with output appended to `log_path`; it receives `stop_signal` if we die."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        try:
            popen = _SPAWNER.popen(
                args=list(argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
                cwd=str(cwd) if cwd else None,
                **as_user(user),
                preexec_fn=lambda: set_parent_death_signal(stop_signal),  # after any change of user (which clears it)
            )
        except OSError as exc:
            raise StackError(f"could not start {name} ({argv[0]}): {exc}") from exc
    return ManagedProcess(name=name, popen=popen, log_path=log_path, stop_signal=stop_signal)


def as_user(user: str | None) -> dict[str, object]:
    """Popen arguments to run as `user` with only that user's group (not root's group 0,
    whose missing directory permissions would otherwise apply)."""
    if user is None:
        return {}
    return {"user": user, "group": user, "extra_groups": []}


def free_port(host: str = "127.0.0.1", *, avoid: Collection[int] = ()) -> int:
    """A port that was free a moment ago (the OS picks it), none of `avoid`: ports promised to
    another server of the same stack that has not bound them yet (the OS may offer them again)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in avoid:
            return port


def port_is_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    ready: "callable[[], bool]",
    *,
    process: ManagedProcess,
    timeout_s: float,
    what: str,
) -> None:
    """Poll `ready()` until true; fail early with the log tail if the process dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.is_running():
            raise StackError(
                f"{process.name} exited with code {process.popen.returncode} before {what}; "
                f"last lines of {process.log_path}:\n{process.log_tail()}"
            )
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - any failure means "not ready yet"
            pass
        time.sleep(0.05)
    raise StackError(
        f"{process.name} not {what} after {timeout_s:.0f}s; last lines of {process.log_path}:\n"
        f"{process.log_tail()}"
    )


def wait_healthy(base_url: str, *, process: ManagedProcess, timeout_s: float) -> None:
    """Wait until `GET {base_url}/health` answers 200 (each poll gives up after a second)."""
    with PlatformClient(base_url, connect_timeout_s=HEALTH_POLL_TIMEOUT_S,
                        read_timeout_s=HEALTH_POLL_TIMEOUT_S) as client:
        wait_until(lambda: client.health().status == 200, process=process, timeout_s=timeout_s, what="healthy")


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
