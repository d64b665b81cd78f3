"""The verdict rule as a pure function."""

from __future__ import annotations

import math

import pytest

from harness.compare.inputs import Direction
from harness.compare.noise import DeltaBand
from harness.compare.rules import MetricRule, Verdict, judge

RULE = MetricRule(threshold_pct=20.0, floor=5.0)
LOWER = Direction.LOWER_IS_BETTER
HIGHER = Direction.HIGHER_IS_BETTER


@pytest.mark.parametrize(
    ("baseline", "current", "direction", "band", "verdict"),
    [
        (100.0, 125.0, LOWER, DeltaBand(3.0, 3.0), Verdict.REGRESSED),
        (100.0, 115.0, LOWER, DeltaBand(3.0, 3.0), Verdict.UNCHANGED),  # below the relative threshold
        (100.0, 120.0, LOWER, None, Verdict.UNCHANGED),  # exactly 20 % is not "more than 20 %"
        (10.0, 14.0, LOWER, None, Verdict.UNCHANGED),  # +40 % but only +4 ms: under the floor
        (100.0, 125.0, LOWER, DeltaBand(30.0, 30.0), Verdict.WITHIN_NOISE),
        (100.0, 125.0, LOWER, None, Verdict.REGRESSED),  # no noise estimate: thresholds alone
        (100.0, 70.0, LOWER, DeltaBand(3.0, 3.0), Verdict.IMPROVED),
        (100.0, 70.0, HIGHER, DeltaBand(3.0, 3.0), Verdict.REGRESSED),  # throughput down
        (100.0, 130.0, HIGHER, DeltaBand(3.0, 3.0), Verdict.IMPROVED),
        (100.0, 125.0, LOWER, DeltaBand(below=math.inf, above=1.0), Verdict.WITHIN_NOISE),
    ],
)
def test_verdicts(baseline: float, current: float, direction: Direction, band: DeltaBand | None, verdict: Verdict) -> None:
    assert judge(baseline=baseline, current=current, direction=direction, band=band, rule=RULE).verdict is verdict


def test_the_band_side_follows_the_change() -> None:
    band = DeltaBand(below=30.0, above=2.0)
    up = judge(baseline=100.0, current=125.0, direction=LOWER, band=band, rule=RULE)
    down = judge(baseline=100.0, current=75.0, direction=LOWER, band=band, rule=RULE)
    assert (up.verdict, up.noise) == (Verdict.WITHIN_NOISE, 30.0)
    assert (down.verdict, down.noise) == (Verdict.IMPROVED, 2.0)


def test_from_zero_the_change_is_infinite_and_the_floor_decides() -> None:
    small = judge(baseline=0.0, current=0.3, direction=LOWER, band=None, rule=MetricRule(threshold_pct=20.0, floor=0.5))
    large = judge(baseline=0.0, current=1.2, direction=LOWER, band=None, rule=MetricRule(threshold_pct=20.0, floor=0.5))
    assert math.isinf(small.delta_pct) and small.verdict is Verdict.UNCHANGED
    assert large.verdict is Verdict.REGRESSED
    assert judge(baseline=0.0, current=0.0, direction=LOWER, band=None, rule=RULE).delta_pct == 0.0


def test_rule_rejects_negative_thresholds() -> None:
    with pytest.raises(ValueError, match="threshold_pct"):
        MetricRule(threshold_pct=-1.0, floor=0.0)
