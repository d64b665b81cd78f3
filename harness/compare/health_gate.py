"""Can the measurement itself explain a change? The third verdict, `inconclusive`, comes from here.

A metric is measured over a span of the run (its scenario's time, or the whole load phase). A
side (the current run, or the baselines) cannot be trusted for that metric when

- its sample windows in the span were degraded (`harness.health.rules`: host CPU pressure, other
  processes' CPU, steal, memory or IO pressure) for more of the span than the metric can bear:
  half of the samples above the percentile (p99: 0.5 %, p95: 2.5 %), else 5 %;
- the generator's iteration start lag p99 in that scenario (any scenario, for a run-wide metric)
  exceeded its limit: iterations started late, so the client's timings are the generator's too;
- the generator saturated its CPU or dropped iterations it had VUs for (run-wide).

With several baselines the baseline side is untrustworthy when most of them are (their median
is what is compared). Pure: reads the `RunMetrics`, decides nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.compare.inputs import Kind, MetricValue, RunMetrics
from harness.health.generator import LAG_P99_LIMIT_MS
from harness.health.rules import degraded_seconds, degraded_share_limit, tripped
from harness.results.model import HostConditions

FIGURES = (  # (field, label, unit, digits), shown for both sides of an inconclusive metric
    ("cpu_pressure_some_pct", "host CPU pressure", " %", 0),
    ("other_cpu_cores", "other processes", " cores", 2),
    ("steal_pct", "CPU steal", " %", 1),
)


@dataclass(frozen=True)
class SideHealth:
    degraded: bool
    problems: tuple[str, ...]  # what was wrong in the span
    figures: dict[str, float]  # time-weighted means over the span, by field


def span_health(run: RunMetrics, metric: MetricValue) -> SideHealth:
    problems: list[str] = []
    figures: dict[str, float] = {}
    if run.health is not None:
        start, end = metric.span_s or (0.0, float("inf"))
        windows = [w for w in run.health.windows if min(end, w.t_s + w.duration_s) > max(start, w.t_s)]
        figures = _means(windows, start, end)
        degraded, observed = degraded_seconds(windows, start_s=start, end_s=end)
        limit = degraded_share_limit(metric.quantile if metric.kind is Kind.QUANTILE else None)
        if observed > 0 and degraded / observed > limit:
            bad = sum(1 for w in windows if w.reasons)
            problems.append(f"{bad} of {len(windows)} sample windows degraded ({_tripped(windows)})")
    lag = _lag(run, metric)
    if lag is not None:
        problems.append(f"generator start lag p99 {lag[1]:.0f} ms in {lag[0]} (limit {LAG_P99_LIMIT_MS:.0f} ms)")
    problems += [f"generator: {reason}" for reason in run.generator_reasons]
    return SideHealth(degraded=bool(problems), problems=tuple(problems), figures=figures)


def explanation(baselines: Sequence[RunMetrics], current: RunMetrics, key: str) -> str | None:
    """Why the measurement could explain a change of `key`, or None when both sides were fit."""
    now = span_health(current, current.metrics[key])
    before = [span_health(b, b.metrics[key]) for b in baselines]
    baseline_bad = sum(1 for side in before if side.degraded) * 2 > len(before)
    if not now.degraded and not baseline_bad:
        return None
    parts = []
    if now.degraded:
        parts.append(f"current run: {_contrast(now, before)}; " + "; ".join(now.problems))
    if baseline_bad:
        worst = max((side for side in before if side.degraded), key=lambda side: len(side.problems))
        label = "baseline" if len(before) == 1 else f"{sum(1 for s in before if s.degraded)} of {len(before)} baselines"
        parts.append(f"{label}: " + "; ".join(worst.problems))
    return " | ".join(parts)


def _contrast(now: SideHealth, before: Sequence[SideHealth]) -> str:
    """`host CPU pressure 36 % vs 2 % in the baseline, other processes 1.50 cores vs 0.01`"""
    shown = []
    for field, label, unit, digits in FIGURES:
        if field not in now.figures:
            continue
        if field == "steal_pct" and now.figures[field] < 1.0:
            continue  # steal is worth a word only when there is some
        baseline_values = sorted(side.figures[field] for side in before if field in side.figures)
        text = f"{label} {now.figures[field]:.{digits}f}{unit}"
        if baseline_values:
            text += f" vs {baseline_values[len(baseline_values) // 2]:.{digits}f}{unit} in the baseline"
        shown.append(text)
    return ", ".join(shown) or "no host figures"


def _means(windows: Sequence[HostConditions], start: float, end: float) -> dict[str, float]:
    means = {}
    for field, *_ in FIGURES:
        weighted = total = 0.0
        for window in windows:
            value = getattr(window, field)
            overlap = min(end, window.t_s + window.duration_s) - max(start, window.t_s)
            if value is not None and overlap > 0:
                weighted += value * overlap
                total += overlap
        if total > 0:
            means[field] = weighted / total
    return means


def _tripped(windows: Sequence[HostConditions]) -> str:
    labels = dict.fromkeys(check.label for w in windows if w.reasons for check, _, _ in tripped(w))
    return ", ".join(labels) or "limits of an earlier harness"


def _lag(run: RunMetrics, metric: MetricValue) -> tuple[str, float] | None:
    """(scenario, lag p99) of the worst lagging scenario the metric depends on, if over the limit."""
    scenarios = [metric.scenario] if metric.scenario else list(run.scenario_lag_p99_ms)
    lagging = [(name, run.scenario_lag_p99_ms[name]) for name in scenarios
               if name in run.scenario_lag_p99_ms and run.scenario_lag_p99_ms[name] > LAG_P99_LIMIT_MS]
    return max(lagging, key=lambda item: item[1]) if lagging else None
