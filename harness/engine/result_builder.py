"""Turning the aggregated measurements of a run into the `RunResult` model."""

from __future__ import annotations

from dataclasses import dataclass

from harness.health.generator import CpuReading, ScenarioLoad, saturation_reasons
from harness.health.rules import with_generator
from harness.executors.base import ScenarioConfig
from harness.metrics import names
from harness.metrics.accumulators import CounterAccumulator, RateAccumulator, TrendAccumulator
from harness.metrics.aggregate import Aggregator
from harness.metrics.blocks import BlockSeries
from harness.metrics.hdr import encode
from harness.metrics.names import MetricKind
from harness.plan.model import Plan
from harness.results.model import (
    GeneratorHealth,
    LatencyWindows,
    MeasurementHealth,
    MetricValues,
    ProcessCpu,
    RequestStats,
    RunMeta,
    RunResult,
    Samples,
    ServerLatency,
    ScenarioStats,
    SeriesPointModel,
    ThresholdResult,
    TrendValues,
)
from harness.thresholds import ThresholdOutcome

TIME_TRENDS = {names.HTTP_REQ_DURATION, names.ITERATION_DURATION, names.ITERATION_LAG, names.ITERATION_DURATION_SCHEDULED}


def trend_values(trend: TrendAccumulator) -> TrendValues | None:
    if trend.count == 0:
        return None
    s = trend.summary()
    return TrendValues(count=trend.count, avg=s["avg"], min=s["min"], med=s["med"], max=s["max"],
                       p90=s["p(90)"], p95=s["p(95)"], p99=s["p(99)"], hdr=encode(trend.histogram))


def metric_values(kind: MetricKind, acc: object, *, elapsed_s: float, is_time: bool) -> MetricValues:
    if kind is MetricKind.TREND:
        return MetricValues(type="trend", contains="time" if is_time else "default",
                            count=acc.count, trend=trend_values(acc))  # type: ignore[attr-defined]
    if kind is MetricKind.RATE:
        assert isinstance(acc, RateAccumulator)
        return MetricValues(type="rate", rate=acc.rate or 0.0, passes=acc.passes, fails=acc.total - acc.passes)
    if kind is MetricKind.COUNTER:
        assert isinstance(acc, CounterAccumulator)
        rate = acc.total / elapsed_s if elapsed_s > 0 else 0.0
        return MetricValues(type="counter", count=int(acc.total), value=acc.total, rate=rate)
    return MetricValues(type="gauge", value=float(acc))  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunFacts:
    """What the engine knows about the run besides the measurements."""

    meta: RunMeta
    complete: bool
    interrupted_reason: str | None
    samples: Samples
    cpu: list[CpuReading]
    aborted_by: frozenset[tuple[str, str]]  # (metric key, expression) that aborted the run
    warnings: tuple[str, ...] = ()
    time_trends: frozenset[str] = frozenset()  # custom trends declared with time=True
    health: MeasurementHealth | None = None  # the host's side; the generator's is joined here
    server_latency: ServerLatency | None = None


def build_result(*, plan: Plan, aggregator: Aggregator, outcomes: list[ThresholdOutcome], facts: RunFacts) -> RunResult:
    scenarios = {name: _scenario(name, config, aggregator) for name, config in plan.scenarios.items()}
    metric_names = list(names.BUILTIN_METRICS) + sorted(aggregator.custom_metric_kinds())
    metrics = {}
    for name in metric_names:
        found = aggregator.metric(name)
        if found is not None:
            metrics[name] = metric_values(found[0], found[1], elapsed_s=aggregator.elapsed_s, is_time=name in TIME_TRENDS or name in facts.time_trends)
    lag = aggregator.metric(names.ITERATION_LAG)[1]  # type: ignore[index]
    dropped = sum(s.dropped_iterations for s in scenarios.values())
    reasons = saturation_reasons(
        lag_p99_ms=lag.value("p(99)"),  # type: ignore[union-attr]
        cpu=facts.cpu,
        scenarios=[
            ScenarioLoad(name, s.dropped_iterations, s.target_rate_per_s,
                         s.iteration_duration.p95 if s.iteration_duration else None, s.vus_max or 1,
                         slowest_response_ms=s.http_req_duration.max if s.http_req_duration else None)
            for name, s in scenarios.items()
        ],
    )
    generator = GeneratorHealth(
        lag_p50_ms=lag.value("med"), lag_p99_ms=lag.value("p(99)"), lag_max_ms=lag.value("max"),  # type: ignore[union-attr]
        dropped_iterations=dropped,
        processes=[ProcessCpu(role=c.role, pid=c.pid, cpu_percent_avg=c.avg_percent, cpu_percent_max=c.max_percent) for c in facts.cpu],
        saturated=bool(reasons), reasons=reasons,
    )
    thresholds = [
        ThresholdResult(metric=o.spec.key, expression=o.spec.expression, ok=o.ok, observed=o.observed,
                        abort_on_fail=o.spec.abort_on_fail,
                        aborted_run=(o.spec.key, o.spec.expression) in facts.aborted_by)
        for o in outcomes
    ]
    return RunResult(
        meta=facts.meta,
        complete=facts.complete,
        interrupted_reason=facts.interrupted_reason,
        scenarios=scenarios,
        requests=_requests(aggregator),
        metrics=metrics,
        thresholds=thresholds,
        thresholds_ok=all(t.ok for t in thresholds),
        time_series=[
            SeriesPointModel(t_s=p.t_s, scenario=p.scenario, requests=p.requests, failures=p.failures,
                             p50_ms=p.p50_ms, p95_ms=p.p95_ms, p99_ms=p.p99_ms,
                             iterations_per_s=p.iterations_per_s, dropped=p.dropped,
                             active_vus=p.active_vus, allocated_vus=p.allocated_vus)
            for p in aggregator.series
        ],
        samples=facts.samples,
        generator=generator,
        warnings=list(facts.warnings),
        health=None if facts.health is None else with_generator(facts.health, reasons),
        latency_windows=[
            _latency_windows(series) for series in aggregator.blocks.series()
            if series.key[1] is not None or series.key[2] in TIME_TRENDS or series.key[2] in facts.time_trends
        ],
        server_latency=facts.server_latency,
    )


def _latency_windows(series: BlockSeries) -> LatencyWindows:
    scenario, method, name = series.key
    return LatencyWindows(scenario=scenario, method=method, name=name, block_s=series.block_s,
                          t_s=list(series.t_s), hdr=list(series.hdr))


def _requests(aggregator: Aggregator) -> list[RequestStats]:
    stats = []
    for (scenario, method, name), request in sorted(aggregator.requests.items()):
        values = trend_values(request.duration)
        if values is None:
            continue
        stats.append(RequestStats(scenario=scenario, method=method, name=name, count=request.duration.count,
                                  failures=dict(request.failures), duration_ms=values))
    return stats


def _scenario(name: str, config: ScenarioConfig, aggregator: Aggregator) -> ScenarioStats:
    window = aggregator.scenarios.get(name)
    tags = (("scenario", name),)
    requests = aggregator.request_duration(tags)
    started = window.iterations_started if window else 0
    duration_s = config.duration_s
    return ScenarioStats(
        executor=config.common.executor,
        exec=config.common.exec_name,
        start_time_s=config.common.start_time_s,
        duration_s=duration_s,
        target_rate_per_s=config.target_rate_per_s(),
        achieved_rate_per_s=_achieved_rate(name, started, config, aggregator),
        iterations_started=started,
        iterations_completed=window.iterations_completed if window else 0,
        iteration_errors=window.iteration_errors if window else 0,
        dropped_iterations=window.dropped if window else 0,
        vus_max=aggregator.vus_max.get(name, 0),
        requests=requests.count,
        failures=aggregator.scenario_failures(name),
        http_req_duration=trend_values(requests),
        iteration_duration=trend_values(window.iteration_duration) if window else None,
        iteration_lag=trend_values(window.lag) if window else None,
        iteration_duration_scheduled=trend_values(window.scheduled) if window else None,
        saturation=saturation.mode.value if (saturation := getattr(config, "saturation", None)) else None,
    )


def _achieved_rate(name: str, started: int, config: ScenarioConfig, aggregator: Aggregator) -> float:
    """Iterations started per second: over the scheduled duration (or as much of it as ran, when
    the run stopped early) for arrival-rate executors; over the windows in which the scenario
    started iterations for the others."""
    if config.target_rate_per_s() is not None:  # over the scheduled time that actually passed
        ran_s = min(config.duration_s, max(0.0, aggregator.elapsed_s - config.common.start_time_s))
        return started / ran_s if ran_s > 0 else 0.0
    active = [p.index for p in aggregator.series if p.scenario == name and p.iterations > 0]
    if not active:
        return 0.0
    return started / ((max(active) - min(active) + 1) * aggregator.window_s)
