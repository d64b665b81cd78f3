"""Run-wide figures every view reads alike: how long the load ran, and rates over it.

The graceful stop's drain after the schedule is not load: divided by the wall time, a run-wide
rate reads lower the longer the last iterations take to finish, so two runs with identical
per-scenario rates would differ (by 4.8 % in issue 15's example).
"""

from __future__ import annotations

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
