"""Host conditions during a run: one reading at the start of the load, one per sample interval,
one at its end; the windows between readings, the load phase as a whole, and the verdict.

    sampler = HealthSampler(run_start_s=start, system=SystemProcesses(pids, "embedded stack"))
    sampler.start_load()          # when the first scenario may start
    sampler.sample()              # every sample interval (the controller's sampling loop)
    sampler.end_load()            # when the last scenario ended (before any after_load drain)
    health = sampler.health(generator_reasons=[...])
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.health.host import PROC, HostReading, Interval, interval_between, take_reading
from harness.health.processes import ProcessGroup
from harness.health.rules import HealthLimits, judged, run_reasons
from harness.results.model import HostConditions, MeasurementHealth

# Readings closer together than this are merged into the next window (a window of a few
# milliseconds would turn counter granularity into huge percentages).
MIN_WINDOW_S = 0.5
GENERATOR, SYSTEM = "generator", "system"


@dataclass(frozen=True)
class SystemProcesses:
    """The system under test's processes on this host (empty when it runs elsewhere or was not
    found), and how they were found, for the record."""

    pids: tuple[int, ...]
    description: str
    on_this_host: bool = True


class HealthSampler:
    def __init__(
        self,
        *,
        run_start_s: float,
        system: SystemProcesses,
        limits: HealthLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        proc: Path = PROC,
        generator_pid: int | None = None,
    ) -> None:
        generator_pid = generator_pid or os.getpid()
        self.run_start_s = run_start_s
        self.system = system
        self.limits = limits or HealthLimits.for_cpus(os.cpu_count() or 1)
        self._clock = clock
        self._proc = proc
        self._groups: dict[str, Callable[[], float | None]] = {GENERATOR: ProcessGroup([generator_pid]).cpu_seconds}
        if system.pids:
            self._groups[SYSTEM] = ProcessGroup(system.pids, exclude=[generator_pid]).cpu_seconds
        self._first: HostReading | None = None
        self._last: HostReading | None = None
        self._end: HostReading | None = None
        self._window_starts: list[HostReading] = []
        self.windows: list[HostConditions] = []

    def _read(self) -> HostReading:
        return take_reading(self._groups, proc=self._proc, clock=self._clock)

    def start_load(self) -> None:
        self._first = self._last = self._read()

    def sample(self) -> None:
        """Close the window since the previous reading (ignored before the load and after it)."""
        if self._last is None or self._end is not None:
            return
        reading = self._read()
        if reading.monotonic_s - self._last.monotonic_s >= MIN_WINDOW_S:
            self._close_window(self._last, reading)

    def end_load(self) -> None:
        if self._last is None or self._end is not None:
            return
        reading = self._read()
        if reading.monotonic_s - self._last.monotonic_s >= MIN_WINDOW_S or not self.windows:
            self._close_window(self._last, reading)
        else:  # a sliver after the last window: that window now ends here
            self.windows.pop()
            self._close_window(self._window_starts.pop(), reading)
        self._end = reading

    def _close_window(self, first: HostReading, last: HostReading) -> None:
        conditions = to_conditions(interval_between(first, last), t_s=first.monotonic_s - self.run_start_s, system=self.system)
        self.windows.append(judged(conditions, limits=self.limits))
        self._window_starts.append(first)
        self._last = last

    def health(self, *, generator_reasons: Sequence[str]) -> MeasurementHealth | None:
        """The verdict over the load phase; None when the load never started."""
        if self._first is None:
            return None
        end = self._end or self._read()
        total = judged(to_conditions(interval_between(self._first, end), t_s=self._first.monotonic_s - self.run_start_s,
                                     system=self.system), limits=self.limits)
        reasons = run_reasons(self.windows, total, generator_reasons=generator_reasons, limits=self.limits)
        return MeasurementHealth(
            verdict="degraded" if reasons else "clean",
            reasons=reasons,
            limits=self.limits.as_dict(),
            system_processes=self.system.description,
            total=total,
            windows=list(self.windows),
        )


def to_conditions(interval: Interval, *, t_s: float, system: SystemProcesses) -> HostConditions:
    """An interval's figures as the result model's `HostConditions` (unjudged)."""
    cpu, memory, io = (interval.pressure_pct.get(r, (None, None)) for r in ("cpu", "memory", "io"))
    generator = interval.group_cpu_cores.get(GENERATOR)
    system_cores = interval.group_cpu_cores.get(SYSTEM) if system.pids else None
    other = None
    if interval.host_cpu_cores is not None and generator is not None:
        if system.pids and system_cores is not None:
            other = interval.host_cpu_cores - generator - system_cores
        elif not system.on_this_host:
            other = interval.host_cpu_cores - generator
    return HostConditions(
        t_s=round(t_s, 3),
        duration_s=round(interval.duration_s, 3),
        cpu_pressure_some_pct=_round(cpu[0]),
        cpu_pressure_full_pct=_round(cpu[1]),
        memory_pressure_some_pct=_round(memory[0]),
        memory_pressure_full_pct=_round(memory[1]),
        io_pressure_some_pct=_round(io[0]),
        io_pressure_full_pct=_round(io[1]),
        load_avg_1m=interval.load_avg_1m,
        host_cpu_cores=_round(interval.host_cpu_cores, 3),
        steal_pct=_round(interval.steal_pct),
        generator_cpu_cores=_round(generator, 3),
        system_cpu_cores=_round(system_cores, 3),
        other_cpu_cores=_round(None if other is None else max(0.0, other), 3),
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
