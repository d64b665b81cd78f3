"""Compare a current run with one or more baseline runs, metric by metric.

    comparison = compare_runs([baseline], current, settings=CompareSettings())
    comparison.regressed      # True when any metric's verdict is "regressed"

With several baselines, the baseline value is their median, the sampling interval is that of the
pooled baselines (histograms added, counts summed), and from `min_baselines_for_spread` runs on
the band is the wider of that interval and median ± k·1.4826·MAD of the baselines' values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from harness.compare.config import CompareSettings
from harness.compare.corroboration import server_views
from harness.compare.health_gate import explanation
from harness.compare.inputs import Direction, Kind, MetricValue, RunMetrics, Unit
from harness.compare.noise import (
    DeltaBand,
    band_from_intervals,
    bucket_interval,
    summed_buckets,
    family_confidence,
    proportion_band,
    quantile_interval,
    rate_band,
    robust_spread,
    spread_band,
)
from harness.compare.plans import PlanDifference, diff_plans
from harness.compare.block_bootstrap import block_interval
from harness.compare.quantiles import merged
from harness.compare.rules import MetricRule, Verdict, judge
from harness.errors import InputError

NO_NOISE_ESTIMATE = "no noise estimate"
MAX_KEYS_IN_NOTE = 6


class PlanMismatchError(InputError):
    """The runs' plans differ; the message lists every difference."""

    def __init__(self, baseline: RunMetrics, current: RunMetrics, differences: list[PlanDifference]) -> None:
        self.differences = differences
        lines = "\n".join(f"  - {d.describe()}" for d in differences)
        super().__init__(
            f"{baseline.source}: its plan differs from {current.source}'s, so the runs are not comparable "
            f"(pass --allow-plan-mismatch to compare anyway):\n{lines}"
        )


@dataclass(frozen=True)
class RunRef:
    run_id: str
    source: str
    source_format: str


@dataclass(frozen=True)
class MetricComparison:
    key: str
    unit: Unit
    direction: Direction
    baseline: float
    current: float
    delta: float
    delta_pct: float
    noise: float | None  # half-width on the side of the change; None = no noise estimate
    noise_source: str
    verdict: Verdict
    rule: MetricRule
    baseline_values: tuple[float, ...]
    reason: str | None = None  # inconclusive: what in the measurement explains the change
    server: str | None = None  # a client-side latency: whether the server saw the same change


@dataclass(frozen=True)
class Comparison:
    baselines: tuple[RunRef, ...]
    current: RunRef
    settings: CompareSettings
    metrics: tuple[MetricComparison, ...]
    plan_differences: tuple[PlanDifference, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def regressed(self) -> bool:
        return any(m.verdict is Verdict.REGRESSED for m in self.metrics)

    @property
    def inconclusive(self) -> bool:
        """No confirmed regression, but some metric the measurement could not vouch for."""
        return not self.regressed and any(m.verdict is Verdict.INCONCLUSIVE for m in self.metrics)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for m in self.metrics if m.verdict is verdict)


def compare_runs(
    baselines: Sequence[RunMetrics], current: RunMetrics, *, settings: CompareSettings, allow_plan_mismatch: bool = False,
    notes: Sequence[str] = (),
) -> Comparison:
    if not baselines:
        raise InputError("compare needs at least one baseline run")
    notes = list(notes)
    differences = _check_plans(baselines, current, allow_plan_mismatch=allow_plan_mismatch, notes=notes)
    shared = set(current.metrics).intersection(*(b.metrics for b in baselines))
    if not shared:
        others = ", ".join(b.source for b in baselines)
        raise InputError(f"{current.source}: has no metric in common with {others}, so there is nothing to compare "
                         f"({len(current.metrics)} metrics in it)")
    only_baseline = set().union(*(b.metrics for b in baselines)) - set(current.metrics)
    only_current = set(current.metrics) - set().union(*(b.metrics for b in baselines))
    _note_keys(notes, "only in the baseline (not compared)", only_baseline)
    _note_keys(notes, "only in the current run (not compared)", only_current)
    wanted: list[tuple[str, MetricRule]] = []
    ignored = 0
    for key in sorted(shared):
        now = current.metrics[key]
        if any(b.metrics[key].unit is not now.unit or b.metrics[key].direction is not now.direction for b in baselines):
            notes.append(f"{key}: measured in different units or directions; not compared")
            continue
        rule = settings.rule_for(key, now.unit)
        if rule.ignore:
            ignored += 1
        else:
            wanted.append((key, rule))
    confidence = family_confidence(settings.confidence, tests=len(wanted)) if settings.family_wise else settings.confidence
    results = [
        compare_metric(key, [b.metrics[key] for b in baselines], current.metrics[key],
                       settings=settings, rule=rule, confidence=confidence)
        for key, rule in wanted
    ]
    results = [_gated(m, baselines, current) for m in results]
    views = server_views(results, current.server_routes)
    results = [replace(m, server=views[m.key]) if m.key in views else m for m in results]
    if ignored:
        notes.append(f"{ignored} metric(s) ignored by the configuration")
    notes += health_notes(baselines, current)
    return Comparison(
        baselines=tuple(RunRef(b.run_id, b.source, b.source_format) for b in baselines),
        current=RunRef(current.run_id, current.source, current.source_format),
        settings=settings,
        metrics=tuple(results),
        plan_differences=tuple(differences),
        notes=tuple(dict.fromkeys(notes)),
    )


def compare_metric(
    key: str,
    baselines: Sequence[MetricValue],
    current: MetricValue,
    *,
    settings: CompareSettings,
    rule: MetricRule,
    confidence: float,
) -> MetricComparison:
    """One metric: baseline centre, noise band (intervals at `confidence`), verdict."""
    values = tuple(b.value for b in baselines)
    spread = robust_spread(values)
    centre = values[0] if len(values) == 1 else spread.centre
    sampling, blocked = _sampling(baselines, current, confidence=confidence, key=key)
    run_spread = spread_band(spread, k=settings.spread_k) if len(values) >= settings.min_baselines_for_spread else None
    band, source = _combine(sampling, run_spread, settings=settings, runs=len(values), blocked=blocked)
    judgement = judge(baseline=centre, current=current.value, direction=current.direction, band=band, rule=rule)
    return MetricComparison(
        key=key,
        unit=current.unit,
        direction=current.direction,
        baseline=centre,
        current=current.value,
        delta=judgement.delta,
        delta_pct=judgement.delta_pct,
        noise=judgement.noise,
        noise_source=source,
        verdict=judgement.verdict,
        rule=rule,
        baseline_values=values,
    )


def sampling_band(baselines: Sequence[MetricValue], current: MetricValue, *, confidence: float,
                  key: str = "") -> DeltaBand | None:
    """The within-run noise of `current - baseline`, or None when a side has no estimate. For a
    percentile it is the wider of the order-statistic band (independent samples) and the
    block-bootstrap band (the runs' own time structure), when both sides kept their blocks."""
    return _sampling(baselines, current, confidence=confidence, key=key)[0]


def _sampling(baselines: Sequence[MetricValue], current: MetricValue, *, confidence: float,
              key: str) -> tuple[DeltaBand | None, bool]:
    """(band, whether the time blocks widened it)."""
    if not current.has_noise_estimate or not all(b.has_noise_estimate for b in baselines):
        return None, False
    if current.kind is Kind.QUANTILE:
        return _quantile_band(baselines, current, confidence=confidence, key=key)
    if current.kind is Kind.PROPORTION:
        band = proportion_band(
            baseline_events=sum(b.events or 0 for b in baselines),
            baseline_trials=sum(b.trials or 0 for b in baselines),
            current_events=current.events or 0,
            current_trials=current.trials or 0,
            confidence=confidence,
        )
        return DeltaBand(below=100.0 * band.below, above=100.0 * band.above), False
    if current.kind is Kind.RATE:
        # Pooled baseline: its rate's variance is events / duration², with both summed.
        return rate_band(
            baseline_events=sum(b.events or 0 for b in baselines),
            baseline_duration_s=sum(b.duration_s or 0.0 for b in baselines),
            current_events=current.events or 0,
            current_duration_s=current.duration_s or 0.0,
            confidence=confidence,
        ), False
    return None, False


def _quantile_band(baselines: Sequence[MetricValue], current: MetricValue, *, confidence: float,
                   key: str) -> tuple[DeltaBand | None, bool]:
    quantile = current.quantile
    if quantile is None:
        return None, False
    if current.buckets is not None:
        if any(b.buckets is None for b in baselines):
            return None, False
        independent = band_from_intervals(
            bucket_interval(summed_buckets([b.buckets for b in baselines if b.buckets]), quantile_pct=quantile, confidence=confidence),
            bucket_interval(current.buckets, quantile_pct=quantile, confidence=confidence),
        )
    elif current.distribution is None or any(b.distribution is None for b in baselines):
        return None, False
    else:
        pooled = merged([b.distribution for b in baselines if b.distribution is not None])
        independent = band_from_intervals(
            quantile_interval(pooled, quantile_pct=quantile, confidence=confidence),
            quantile_interval(current.distribution, quantile_pct=quantile, confidence=confidence),
        )
    if current.blocks is None or any(b.blocks is None for b in baselines):
        return independent, False
    baseline_parts = [part for b in baselines if b.blocks is not None for part in b.blocks.parts]
    interpolate = current.blocks.interpolate
    before = block_interval(baseline_parts, quantile_pct=quantile, confidence=confidence, seed_key=f"baseline:{key}",
                            interpolate=interpolate)
    after = block_interval(current.blocks.parts, quantile_pct=quantile, confidence=confidence, seed_key=f"current:{key}",
                           interpolate=interpolate)
    if before is None or after is None:
        return independent, False
    blocked = band_from_intervals(before, after)
    widest = independent.widest(blocked)
    return widest, widest != independent


def _combine(
    sampling: DeltaBand | None, run_spread: DeltaBand | None, *, settings: CompareSettings, runs: int, blocked: bool = False,
) -> tuple[DeltaBand | None, str]:
    ci = f"CI {settings.confidence:.0%}" + (" fw" if settings.family_wise else "") + (", time blocks" if blocked else "")
    spread = f"spread of {runs} runs"
    if sampling is not None and run_spread is not None:
        return sampling.widest(run_spread), f"{ci} + {spread}"
    if sampling is not None:
        return sampling, ci
    if run_spread is not None:
        return run_spread, spread
    return None, NO_NOISE_ESTIMATE


def _check_plans(
    baselines: Sequence[RunMetrics], current: RunMetrics, *, allow_plan_mismatch: bool, notes: list[str]
) -> list[PlanDifference]:
    found: list[PlanDifference] = []
    for baseline in baselines:
        for run in (baseline, current):
            if not run.plan_known:
                notes.append(f"plan not checked against {run.source}: a {run.source_format} carries no plan")
        if not (baseline.plan_known and current.plan_known):
            continue
        differences = diff_plans(baseline.plan, current.plan)
        if differences and not allow_plan_mismatch:
            raise PlanMismatchError(baseline, current, differences)
        if differences:
            notes.append(f"plans differ ({baseline.source}), compared anyway (--allow-plan-mismatch): "
                         + "; ".join(d.describe() for d in differences))
        found.extend(differences)
        checked = set(baseline.plan) & set(current.plan)
        if checked == {"scenarios"}:
            notes.append(f"plan checked on the scenario names only ({baseline.source} vs {current.source})")
        if baseline.plan_sha256 and current.plan_sha256 and baseline.plan_sha256 != current.plan_sha256 and not differences:
            notes.append(f"the plan files differ ({baseline.source}), but not in scenarios, executors, rates or durations")
    return found


def _gated(metric: MetricComparison, baselines: Sequence[RunMetrics], current: RunMetrics) -> MetricComparison:
    """A regression the measurement itself can explain is inconclusive, with the reason."""
    if metric.verdict is not Verdict.REGRESSED:
        return metric
    reason = explanation(baselines, current, metric.key)
    return metric if reason is None else replace(metric, verdict=Verdict.INCONCLUSIVE, reason=reason)


def health_notes(baselines: Sequence[RunMetrics], current: RunMetrics) -> list[str]:
    notes = []
    for run, role in [*((b, "baseline") for b in baselines), (current, "current run")]:
        if run.health is None:
            if run.source_format == "bwperf run result":
                notes.append(f"{role} {run.run_id}: measurement health not recorded (an older result): a noisy "
                             "machine cannot be told from a regression in it")
        elif run.health.verdict == "degraded":
            hide = " (a regression may hide behind a slow baseline)" if role == "baseline" else ""
            notes.append(f"{role} {run.run_id}: measurement degraded{hide}: " + "; ".join(run.health.reasons))
    return notes


def _note_keys(notes: list[str], what: str, keys: set[str]) -> None:
    if keys:
        shown = ", ".join(sorted(keys)[:MAX_KEYS_IN_NOTE])
        more = f" and {len(keys) - MAX_KEYS_IN_NOTE} more" if len(keys) > MAX_KEYS_IN_NOTE else ""
        notes.append(f"{len(keys)} metric(s) {what}: {shown}{more}")
