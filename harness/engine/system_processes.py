"""Which processes on this host are the system under test? Their CPU is the system's own, not
a neighbour's, in the run's measurement health (`harness.health`).

In order: the PIDs given with `--system-pid`; the embedded stack `bwperf run` started; for a
loopback target, the process listening on its port (and, when that process belongs to a
`bwperf up` of this directory, the whole stack under that command); a remote target has none here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from harness.health.processes import LOOPBACK_HOSTS, is_descendant, listening_pid
from harness.health.sampler import SystemProcesses


def given(pids: Sequence[int]) -> SystemProcesses:
    return SystemProcesses(pids=tuple(pids), description=f"given with --system-pid: {_listed(pids)}, with their children")


def embedded(pids: Sequence[int]) -> SystemProcesses:
    return SystemProcesses(pids=tuple(pids), description=f"the embedded stack: {_listed(pids)}, with their children")


def for_target(target: str, *, stack_home: Path | None = None) -> SystemProcesses:
    parts = urlsplit(target)
    if parts.hostname not in LOOPBACK_HOSTS:
        return SystemProcesses(pids=(), description=f"not on this host ({parts.hostname})", on_this_host=False)
    listener = listening_pid(target)
    if listener is None:
        return SystemProcesses(pids=(), description=(
            f"on this host, but no process was found listening on port {parts.port}: other processes' CPU "
            "cannot be told from the system's and is not judged"))
    up = _bwperf_up_pid(stack_home)
    if up is not None and (up == listener or is_descendant(listener, up)):
        return SystemProcesses(pids=(up,), description=(
            f"`bwperf up` (pid {up}) and every process under it, found by the listener on port {parts.port}"))
    return SystemProcesses(pids=(listener,), description=(
        f"{_listed([listener])}, listening on port {parts.port}, with its children"))


def _bwperf_up_pid(stack_home: Path | None) -> int | None:
    try:
        from harness.stack.running import DEFAULT_HOME, read_state
    except ImportError:
        return None
    state = read_state(stack_home or DEFAULT_HOME)
    return None if state is None else state.pid


def _listed(pids: Sequence[int]) -> str:
    names = []
    for pid in pids:
        try:
            names.append(f"{psutil.Process(pid).name()} ({pid})")
        except psutil.Error:
            names.append(f"pid {pid}")
    return ", ".join(names)
