"""Confirm before failing: the gate's verdict over two runs of the same code, each compared with
the same baselines. A regression fails the gate only when both runs show it.

    first \\ confirming    regressed      inconclusive    anything else
    regressed              regressed      inconclusive    the confirming run's verdict (noted)
    inconclusive           inconclusive   inconclusive    the confirming run's verdict
    anything else          the confirming run's verdict

Two runs that each flag a metric without both confirming it are inconclusive, never a pass:
one of them was slow for a reason the gate cannot rule out. Pure: two `Comparison`s in, one out.
"""

from __future__ import annotations

from dataclasses import replace

from harness.compare.engine import Comparison, MetricComparison
from harness.compare.rules import Verdict

FLAGGED = (Verdict.REGRESSED, Verdict.INCONCLUSIVE)


def needs_confirmation(comparison: Comparison) -> bool:
    return any(m.verdict in FLAGGED for m in comparison.metrics)


def confirmed(first: Comparison, second: Comparison) -> Comparison:
    earlier = {m.key: m for m in first.metrics}
    notes = [f"confirmed over two runs: {first.current.run_id} (first) and {second.current.run_id} (confirming); "
             "a regression counts only when both show it"]
    metrics = []
    for metric in second.metrics:
        before = earlier.get(metric.key)
        metrics.append(metric if before is None else _joined(before, metric, notes))
    gone = sorted(set(earlier) - {m.key for m in second.metrics})
    if gone:
        notes.append(f"{len(gone)} metric(s) of the first run missing from the confirming run: {', '.join(gone[:6])}")
    return replace(second, metrics=tuple(metrics), notes=(*second.notes, *notes))


def _joined(first: MetricComparison, second: MetricComparison, notes: list[str]) -> MetricComparison:
    if first.verdict is Verdict.REGRESSED and second.verdict is Verdict.REGRESSED:
        return replace(second, reason=None)
    if first.verdict in FLAGGED and second.verdict in FLAGGED:
        return replace(second, verdict=Verdict.INCONCLUSIVE, reason=_why(first, second))
    if first.verdict is Verdict.REGRESSED:
        notes.append(f"{first.key}: regressed in the first run ({first.delta_pct:+.1f} %), {second.verdict.value} in the "
                     f"confirming run ({second.delta_pct:+.1f} %): not confirmed")
    return second


def _why(first: MetricComparison, second: MetricComparison) -> str:
    def side(label: str, metric: MetricComparison) -> str:
        if metric.verdict is Verdict.REGRESSED:
            return f"{label} run regressed ({metric.delta_pct:+.1f} %)"
        return f"{label} run inconclusive ({metric.reason})"

    return f"not confirmed by both runs: {side('first', first)}; {side('confirming', second)}"
