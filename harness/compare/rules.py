"""The verdict rule: a pure function of two numbers, a direction, a noise band and the thresholds.

    regressed     the change is worse by more than the relative threshold (default 20 %),
                  AND by more than the absolute floor (5 ms, 0.5 percentage points, ...),
                  AND outside the noise band (the interval of current - baseline excludes 0)
    improved      the same three, in the better direction
    within noise  big enough on both thresholds, but inside the noise band
    unchanged     below the relative threshold or below the absolute floor
    inconclusive  would be "regressed", but the measurement itself can explain the change: either
                  run's health was degraded in the windows that matter (set by the engine from
                  `health_gate`, never by `judge`, which sees only numbers)

With no noise estimate (a k6 summary export has no histograms; a gauge is one reading; one
baseline run gives no spread) the band is absent and the first two conditions decide alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from harness.compare.inputs import Direction
from harness.compare.noise import DeltaBand


class Verdict(str, Enum):
    REGRESSED = "regressed"
    WITHIN_NOISE = "within noise"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class MetricRule:
    """Thresholds for one metric: the relative one in percent, the absolute floor in the metric's
    own unit (ms, percentage points, per second, bytes)."""

    threshold_pct: float
    floor: float
    ignore: bool = False

    def __post_init__(self) -> None:
        if not self.threshold_pct >= 0:
            raise ValueError(f"threshold_pct must be >= 0, but is {self.threshold_pct}")
        if not self.floor >= 0:
            raise ValueError(f"floor must be >= 0, but is {self.floor}")


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    delta: float  # current - baseline, in the metric's unit
    delta_pct: float  # relative to the baseline, percent; ±inf when the baseline is 0
    noise: float | None  # the half-width of the band on the side of the observed change


def relative_change_pct(*, baseline: float, current: float) -> float:
    delta = current - baseline
    if baseline == 0:
        return 0.0 if delta == 0 else math.copysign(math.inf, delta)
    return 100.0 * delta / abs(baseline)


def judge(*, baseline: float, current: float, direction: Direction, band: DeltaBand | None, rule: MetricRule) -> Judgement:
    """The verdict for one metric (see the module docstring)."""
    delta = current - baseline
    delta_pct = relative_change_pct(baseline=baseline, current=current)
    noise = None if band is None else (band.below if delta >= 0 else band.above)
    matters = abs(delta_pct) > rule.threshold_pct and abs(delta) > rule.floor
    if not matters:
        return Judgement(Verdict.UNCHANGED, delta, delta_pct, noise)
    if noise is not None and abs(delta) <= noise:
        return Judgement(Verdict.WITHIN_NOISE, delta, delta_pct, noise)
    worse = delta > 0 if direction is Direction.LOWER_IS_BETTER else delta < 0
    return Judgement(Verdict.REGRESSED if worse else Verdict.IMPROVED, delta, delta_pct, noise)
