"""Two runs through the comparison engine (`harness.compare`), with its verdicts as table rows.

The settings are the engine's defaults, the ones the weekly CI job uses (`--threshold 20`):
regressed = worse by > 20 %, above the absolute floor, and outside the noise band.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.compare import CompareSettings, Comparison, RunMetrics, compare_runs, formatting
from harness.errors import InputError


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
            change=formatting.delta_pct_text(m.delta_pct),
            noise=formatting.noise_text(m),
            verdict=m.verdict.value,
            why=formatting.detail_text(m),
        )
        for m in formatting.ordered(comparison)
    ]


def headline(comparison: Comparison) -> str:
    return formatting.headline(comparison)
