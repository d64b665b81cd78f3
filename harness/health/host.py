"""Reading the host's cumulative counters, and the conditions between two readings.

Every figure comes from a counter the kernel keeps since boot, so the conditions over an interval
are exact differences of two readings, whatever happened in between (no sampling of `avg10`):

    /proc/pressure/{cpu,memory,io}   PSI `total=` microseconds with some / all tasks stalled
    /proc/stat (first line)          jiffies by state; busy = all but idle and iowait; steal
    /proc/loadavg                    the 1-minute load average (a level, not a counter)
    process CPU                      user + system (+ reaped children) of process groups, psutil

A file the kernel does not have (no PSI before Linux 4.20, no /proc off Linux) gives None.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
PSI_RESOURCES = ("cpu", "memory", "io")
US_PER_S = 1_000_000


@dataclass(frozen=True)
class Pressure:
    some_us: int | None
    full_us: int | None


@dataclass(frozen=True)
class CpuJiffies:
    busy: int
    total: int
    steal: int


@dataclass(frozen=True)
class HostReading:
    """One reading of every counter, at `monotonic_s`."""

    monotonic_s: float
    pressure: dict[str, Pressure]
    cpu: CpuJiffies | None
    load_avg_1m: float | None
    group_cpu_s: dict[str, float | None] = field(default_factory=dict)  # process group -> CPU seconds


@dataclass(frozen=True)
class Interval:
    """Conditions between two readings (the fields of `HostConditions`, before any judgement)."""

    duration_s: float
    pressure_pct: dict[str, tuple[float | None, float | None]]  # resource -> (some %, full %)
    load_avg_1m: float | None
    host_cpu_cores: float | None
    steal_pct: float | None
    group_cpu_cores: dict[str, float | None]


def read_pressure(resource: str, *, proc: Path = PROC) -> Pressure:
    """PSI totals of one resource; None fields when the kernel has no PSI (or no `full` line)."""
    try:
        text = (proc / "pressure" / resource).read_text()
    except OSError:
        return Pressure(None, None)
    totals: dict[str, int] = {}
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        for part in rest.split():
            key, _, value = part.partition("=")
            if key == "total" and value.isdigit():
                totals[kind] = int(value)
    return Pressure(totals.get("some"), totals.get("full"))


def read_cpu_jiffies(*, proc: Path = PROC) -> CpuJiffies | None:
    """The first line of /proc/stat: user nice system idle iowait irq softirq steal [guest ...].
    guest time is already counted in user, so only the first eight fields are summed."""
    try:
        with (proc / "stat").open() as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 5:
        return None
    values = [int(v) for v in fields[1:9]]
    values += [0] * (8 - len(values))
    idle = values[3] + values[4]
    total = sum(values)
    return CpuJiffies(busy=total - idle, total=total, steal=values[7])


def read_load_avg(*, proc: Path = PROC) -> float | None:
    try:
        return float((proc / "loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def take_reading(groups: dict[str, Callable[[], float | None]], *, proc: Path = PROC,
                 clock: Callable[[], float] = time.monotonic) -> HostReading:
    """Every counter now; `groups` maps a process group's name to a function returning its CPU seconds."""
    return HostReading(
        monotonic_s=clock(),
        pressure={resource: read_pressure(resource, proc=proc) for resource in PSI_RESOURCES},
        cpu=read_cpu_jiffies(proc=proc),
        load_avg_1m=read_load_avg(proc=proc),
        group_cpu_s={name: read() for name, read in groups.items()},
    )


def interval_between(first: HostReading, last: HostReading, *, cpu_count: int | None = None) -> Interval:
    """The conditions between two readings (pure)."""
    duration_s = max(last.monotonic_s - first.monotonic_s, 1e-9)
    cores = cpu_count or os.cpu_count() or 1
    pressure = {
        resource: (
            _stall_pct(first.pressure[resource].some_us, last.pressure[resource].some_us, duration_s),
            _stall_pct(first.pressure[resource].full_us, last.pressure[resource].full_us, duration_s),
        )
        for resource in PSI_RESOURCES
        if resource in first.pressure and resource in last.pressure
    }
    host_cpu_cores = steal_pct = None
    if first.cpu is not None and last.cpu is not None and last.cpu.total > first.cpu.total:
        elapsed = last.cpu.total - first.cpu.total
        host_cpu_cores = cores * (last.cpu.busy - first.cpu.busy) / elapsed
        steal_pct = 100.0 * (last.cpu.steal - first.cpu.steal) / elapsed
    groups: dict[str, float | None] = {}
    for name in last.group_cpu_s:
        before, after = first.group_cpu_s.get(name), last.group_cpu_s.get(name)
        groups[name] = None if before is None or after is None else max(0.0, after - before) / duration_s
    return Interval(duration_s=duration_s, pressure_pct=pressure, load_avg_1m=last.load_avg_1m,
                    host_cpu_cores=host_cpu_cores, steal_pct=steal_pct, group_cpu_cores=groups)


def _stall_pct(before: int | None, after: int | None, duration_s: float) -> float | None:
    if before is None or after is None:
        return None
    return min(100.0, max(0.0, 100.0 * (after - before) / (duration_s * US_PER_S)))
