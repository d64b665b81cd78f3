"""Two runs through the comparison engine (`harness.compare`), with its verdicts as table rows.

The settings are the engine's defaults, the ones the weekly CI job uses (`--threshold 20`):
regressed = worse by > 20 %, above the absolute floor, and outside the noise band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.compare import (
    ALL,
    CompareSettings,
    Comparison,
    Direction,
    MetricComparison,
    RunMetrics,
    Verdict,
    compare_runs,
    formatting,
)
from harness.errors import InputError

P95_KEY = f"{ALL}/{ALL}/latency_p95_ms"  # the whole run's p95, as history and compare key it
# A row's colour: only a regression alarms; "within noise" is not a finding (the change is inside the
# noise band, whichever way it went), so it is neutral like "unchanged", with its direction in words.
VERDICT_TONES = {
    Verdict.REGRESSED.value: "error",
    Verdict.INCONCLUSIVE.value: "warning",
    Verdict.WITHIN_NOISE.value: "neutral",
    Verdict.IMPROVED.value: "ok",
    Verdict.UNCHANGED.value: "neutral",
}


@dataclass(frozen=True)
class ComparisonOutcome:
    comparison: Comparison | None
    error: str | None  # why there is no comparison (plans differ, nothing in common)


@dataclass(frozen=True)
class VerdictRow:
    metric: str
    baseline: str
    current: str
    change: str
    noise: str
    verdict: str  # "regressed", "inconclusive", "within noise", "improved", "unchanged"
    why: str  # what explains an inconclusive verdict, and whether the server saw the change ("" if nothing)
    direction: str = ""  # "better" or "worse" (by the metric's direction); "" when unchanged in value
    tone: str = "neutral"  # VERDICT_TONES: the colour the row's verdict is shown in


def compare_metrics(
    baseline: RunMetrics, current: RunMetrics, *, allow_plan_mismatch: bool = False, settings: CompareSettings | None = None
) -> ComparisonOutcome:
    try:
        comparison = compare_runs([baseline], current, settings=settings or CompareSettings(),
                                  allow_plan_mismatch=allow_plan_mismatch)
    except InputError as error:
        return ComparisonOutcome(comparison=None, error=str(error))
    return ComparisonOutcome(comparison=comparison, error=None)


def verdict_rows(comparison: Comparison) -> list[VerdictRow]:
    """Regressions first, then inconclusive, within noise, improvements, unchanged (as the CLI prints them)."""
    return [
        VerdictRow(
            metric=m.key,
            baseline=formatting.value_text(m.baseline, m.unit),
            current=formatting.value_text(m.current, m.unit),
            change=_change_text(m),
            noise=formatting.noise_text(m),
            verdict=m.verdict.value,
            why=formatting.detail_text(m),
            direction=direction_of(m),
            tone=VERDICT_TONES[m.verdict.value],
        )
        for m in formatting.ordered(comparison)
    ]


def direction_of(metric: MetricComparison) -> str:
    """"better" or "worse" by the metric's direction (lower latency is better, higher rate is better)."""
    if metric.delta == 0:
        return ""
    lower = metric.delta < 0
    return "better" if lower == (metric.direction is Direction.LOWER_IS_BETTER) else "worse"


def _change_text(metric: MetricComparison) -> str:
    """`-81.0 %`; a within-noise change says which way it went (`-81.0 % (better)`), as it is not
    coloured as a finding."""
    change = formatting.delta_pct_text(metric.delta_pct)
    direction = direction_of(metric)
    return f"{change} ({direction})" if metric.verdict is Verdict.WITHIN_NOISE and direction else change


def headline(comparison: Comparison) -> str:
    return formatting.headline(comparison)


@dataclass(frozen=True)
class BaselineBand:
    """Where a run's value stays unflagged: the engine calls a run "regressed" only when it is worse
    than the baseline by more than the relative threshold (20 %), the floor (5 ms) and the noise;
    inside the band it says "unchanged" or "within noise"."""

    key: str
    run_id: str
    value: float
    low: float
    high: float
    threshold_pct: float
    noise: float | None  # the comparison's noise half-width, when one was made

    @property
    def label(self) -> str:
        noise = f" or noise ±{self.noise:,.1f} ms" if self.noise is not None else ""
        return f"baseline {self.value:,.1f} ms ± {self.threshold_pct:g} %{noise} ({self.run_id})"


def baseline_band(baseline: RunMetrics, *, key: str = P95_KEY, comparison: Comparison | None = None,
                  settings: CompareSettings | None = None) -> BaselineBand | None:
    """The band around the baseline's `key`: ± the largest of the relative threshold, the floor and
    the noise (from `comparison`: a run against this baseline). None when the baseline lacks `key`."""
    metric = baseline.metrics.get(key)
    if metric is None:
        return None
    chosen = settings or (comparison.settings if comparison is not None else CompareSettings())
    rule = chosen.rule_for(key, metric.unit)
    noise = None
    if comparison is not None:
        compared = next((m for m in comparison.metrics if m.key == key), None)
        if compared is not None and compared.noise is not None and math.isfinite(compared.noise):
            noise = compared.noise
    half = max(abs(metric.value) * rule.threshold_pct / 100.0, rule.floor, noise or 0.0)
    return BaselineBand(key=key, run_id=baseline.run_id, value=metric.value, low=max(metric.value - half, 0.0),
                        high=metric.value + half, threshold_pct=rule.threshold_pct, noise=noise)
