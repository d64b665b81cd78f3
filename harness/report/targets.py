"""The target arrival rate of each scenario over time, for the throughput chart.

The result stores each scenario's mean scheduled rate; the shape (a ramp's stages) is in the plan.
`plan_targets` reads the plan the run used (when the file is still there and its sha256 matches)
and turns each arrival-rate scenario's rate profile into plottable points; otherwise it falls
back to the mean rate from the result and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import BwperfError
from harness.executors.base import LOCAL
from harness.executors.scheduling import RateSegment
from harness.plan.load import load_plan
from harness.results.model import RunResult

Curve = list[tuple[float, float]]  # (t_s from the run start, iterations per second)


@dataclass(frozen=True)
class Targets:
    curves: dict[str, Curve]
    source: str  # "plan" or "result" (mean rates only)
    note: str | None = None


def curve_from_segments(start_s: float, segments: tuple[RateSegment, ...]) -> Curve:
    """The piecewise-linear rate profile as points (one per segment boundary)."""
    points: Curve = []
    t_s = start_s
    for segment in segments:
        points.append((t_s, segment.start_rate_per_s))
        t_s += segment.duration_s
        points.append((t_s, segment.end_rate_per_s))
    return points


def mean_targets(result: RunResult) -> dict[str, Curve]:
    """A flat line at each arrival-rate scenario's mean scheduled rate, over its duration."""
    curves: dict[str, Curve] = {}
    for name, stats in result.scenarios.items():
        if stats.target_rate_per_s is not None:
            end_s = stats.start_time_s + stats.duration_s
            curves[name] = [(stats.start_time_s, stats.target_rate_per_s), (end_s, stats.target_rate_per_s)]
    return curves


def plan_targets(result: RunResult, *, plan_path: Path | None = None) -> Targets:
    """Target curves from the run's plan file (at `plan_path`, default the path in the result)."""
    path = plan_path or Path(result.meta.plan_path)
    fallback = mean_targets(result)
    try:
        plan = load_plan(path)
    except BwperfError:
        return Targets(fallback, "result", f"plan {path} not readable: target lines show mean rates")
    if plan.sha256 != result.meta.plan_sha256:
        return Targets(fallback, "result", f"plan {path} changed since the run: target lines show mean rates")
    try:
        plan = plan.with_profile(result.meta.profile)
    except BwperfError:
        return Targets(fallback, "result", f"plan {path} has no profile {result.meta.profile!r}")
    curves: dict[str, Curve] = {}
    for name, config in plan.scenarios.items():
        segments = getattr(config.new_runtime(worker=LOCAL), "segments", None)
        if segments:
            curves[name] = curve_from_segments(config.common.start_time_s, segments)
    return Targets(curves, "plan")
