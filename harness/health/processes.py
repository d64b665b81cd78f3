"""CPU used by groups of processes (the generator, the system under test), and finding the
processes behind a loopback target.

A group is some root processes with all their descendants. Its CPU time is each live member's
user + system time plus the time of the children it has reaped (psutil's `children_*`), so a
PostgreSQL backend that exits between two readings still counts: its time moves from the backend
to the postmaster's reaped-children total. Processes under `exclude` (the generator, when the
system under test's root is one of its ancestors) are left out with their descendants.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import psutil

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ProcessGroup:
    def __init__(self, roots: Iterable[int], *, exclude: Iterable[int] = ()) -> None:
        self.roots = tuple(dict.fromkeys(int(pid) for pid in roots))
        self.exclude = frozenset(int(pid) for pid in exclude)

    def members(self) -> list[psutil.Process]:
        found: dict[int, psutil.Process] = {}
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                family = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for process in family:
                if not self._excluded(process):
                    found.setdefault(process.pid, process)
        return list(found.values())

    def cpu_seconds(self) -> float | None:
        """Total CPU seconds of the group now; None when none of its roots is alive."""
        total, alive = 0.0, False
        for process in self.members():
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            alive = True
            total += times.user + times.system + getattr(times, "children_user", 0.0) + getattr(times, "children_system", 0.0)
        return total if alive else None

    def _excluded(self, process: psutil.Process) -> bool:
        if not self.exclude:
            return False
        if process.pid in self.exclude:
            return True
        try:
            return any(parent.pid in self.exclude for parent in process.parents())
        except psutil.Error:
            return False


def listening_pid(url: str) -> int | None:
    """The process listening on a loopback URL's port (None: not on this host, or not found)."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK_HOSTS:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.Error, OSError):
        return None
    for connection in connections:
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port and connection.pid:
            return int(connection.pid)
    return None


def is_descendant(pid: int, ancestor: int) -> bool:
    try:
        return any(parent.pid == ancestor for parent in psutil.Process(pid).parents())
    except psutil.Error:
        return False
