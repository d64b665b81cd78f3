"""Numbers as people read them, shared by every renderer."""

from __future__ import annotations

import math

from harness.compare.engine import Comparison, MetricComparison
from harness.compare.inputs import Unit
from harness.compare.rules import Verdict

VERDICT_ORDER = (Verdict.REGRESSED, Verdict.INCONCLUSIVE, Verdict.WITHIN_NOISE, Verdict.IMPROVED, Verdict.UNCHANGED)
MIB = 1024.0 * 1024.0


def value_text(value: float, unit: Unit) -> str:
    if unit is Unit.MS:
        return f"{_number(value)} ms"
    if unit is Unit.PCT:
        return f"{value:.2f} %"
    if unit is Unit.PER_S:
        return f"{_number(value)}/s"
    return f"{value / MIB:.1f} MiB"


def delta_text(delta: float, unit: Unit) -> str:
    sign = "+" if delta >= 0 else "-"
    magnitude = abs(delta)
    if unit is Unit.PCT:
        return f"{sign}{magnitude:.2f} pp"
    return sign + value_text(magnitude, unit)


def delta_pct_text(delta_pct: float) -> str:
    if math.isinf(delta_pct):
        return "new" if delta_pct > 0 else "gone"
    return f"{delta_pct:+.1f} %"


def noise_text(metric: MetricComparison) -> str:
    if metric.noise is None:
        return metric.noise_source
    if math.isinf(metric.noise):
        return f"unbounded ({metric.noise_source}: too few samples)"
    amount = f"{metric.noise:.2f} pp" if metric.unit is Unit.PCT else value_text(metric.noise, metric.unit)
    return f"±{amount} ({metric.noise_source})"


def ordered(comparison: Comparison) -> list[MetricComparison]:
    """Regressions first, then within noise, improvements, unchanged; by key within each."""
    rank = {verdict: i for i, verdict in enumerate(VERDICT_ORDER)}
    return sorted(comparison.metrics, key=lambda m: (rank[m.verdict], m.key))


def headline(comparison: Comparison) -> str:
    counts = ", ".join(f"{comparison.count(v)} {v.value}" for v in VERDICT_ORDER)
    return f"{status_text(comparison)}: {len(comparison.metrics)} metrics compared ({counts})"


def status_text(comparison: Comparison) -> str:
    if comparison.regressed:
        return "REGRESSION"
    if comparison.inconclusive:
        return "INCONCLUSIVE (no confirmed regression; the measurement cannot vouch for every metric)"
    return "no regression"


def detail_text(metric: MetricComparison) -> str:
    """The why of a verdict, when there is one: the measurement's reason and the server's view."""
    return " · ".join(part for part in (metric.reason, metric.server) if part)


def runs_text(comparison: Comparison) -> str:
    baselines = ", ".join(f"{b.run_id} ({b.source})" for b in comparison.baselines)
    return f"baseline: {baselines}; current: {comparison.current.run_id} ({comparison.current.source})"


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
