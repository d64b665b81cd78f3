"""Run-wide figures every view reads alike: how long the load ran, rates over it, and the gap between
service time and schedule-true time.

The graceful stop's drain after the schedule is not load: divided by the wall time, a run-wide
rate reads lower the longer the last iterations take to finish, so two runs with identical
per-scenario rates would differ (by 4.8 % in issue 15's example).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.results.model import RunResult


def load_phase_s(result: RunResult) -> float:
    """How long the load ran: the scenarios' scheduled time (the largest `start_time_s + duration_s`),
    or the time actually run (`meta.duration_s`) when that is shorter (the run stopped early, or the
    result is a live snapshot). A result without scenarios: its wall time.

    The graceful stop's drain after the schedule is not load: divided by the wall time, a run-wide
    rate reads lower the longer the last iterations take to finish, so two runs with identical
    per-scenario rates would differ.
    """
    scheduled = max((s.start_time_s + s.duration_s for s in result.scenarios.values()), default=None)
    wall_s = result.meta.duration_s
    return wall_s if scheduled is None else min(scheduled, wall_s)


def run_rate_per_s(count: float | None, result: RunResult) -> float | None:
    """`count` events (a run-wide counter: requests, iterations) per second of the load phase
    (`load_phase_s`); None without a count or a load phase."""
    load_s = load_phase_s(result)
    return count / load_s if count is not None and load_s > 0 else None


# The gap between service time and schedule-true time worth a line of its own: the schedule's p99 at
# least twice the iterations' own p99 and 50 ms above it (a queue that formed, not jitter).
SCHEDULE_GAP_FACTOR = 2.0
SCHEDULE_GAP_MIN_MS = 50.0


@dataclass(frozen=True)
class ScheduleGap:
    """One arrival-rate scenario's p99 timed from the scheduled start vs from the actual start."""

    scenario: str
    scheduled_p99_ms: float  # iteration_duration_scheduled: what users arriving on the schedule waited
    service_p99_ms: float  # iteration_duration: the iterations' own time
    saturation: str | None

    @property
    def text(self) -> str:
        how = "waiting for a free VU" if self.saturation == "queue" else "starting late"
        return (f"{self.scenario}: p99 {self.scheduled_p99_ms:,.1f} ms from the scheduled start vs "
                f"{self.service_p99_ms:,.1f} ms of service ({self.scheduled_p99_ms / max(self.service_p99_ms, 1e-9):.1f}x: "
                f"iterations spent the difference {how})")


def schedule_gaps(result: RunResult) -> list[ScheduleGap]:
    """The scenarios whose schedule-true p99 is far above their service p99 (see SCHEDULE_GAP_*)."""
    gaps = []
    for name, stats in result.scenarios.items():
        scheduled, service = stats.iteration_duration_scheduled, stats.iteration_duration
        if scheduled is None or service is None:
            continue
        if scheduled.p99 >= SCHEDULE_GAP_FACTOR * service.p99 and scheduled.p99 - service.p99 >= SCHEDULE_GAP_MIN_MS:
            gaps.append(ScheduleGap(name, scheduled.p99, service.p99, stats.saturation))
    return gaps
