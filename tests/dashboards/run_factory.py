"""Plausible runs for the dashboard's tests, built through the real model (`RunResult`) and written
by the real writer (`save_result`), so they cannot drift from the schema.

Latencies are seeded lognormal samples recorded in real HDR histograms; the worker's and the
API's Prometheus samples come from real `prometheus_client` registries (the worker's metric
names), rendered as exposition text and parsed by the harness's own sampler parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from hdrh.histogram import HdrHistogram
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from harness.health.rules import DEFAULT_LIMITS, judged, run_reasons
from harness.metrics import hdr
from harness.results import save_result
from harness.results.model import (
    GeneratorHealth,
    HostConditions,
    Machine,
    MeasurementHealth,
    MetricValues,
    ProcessCpu,
    PrometheusSample,
    RedisSample,
    RequestStats,
    RunMeta,
    RunResult,
    Samples,
    ScenarioStats,
    SeriesPointModel,
    ThresholdResult,
    TrendValues,
    Versions,
)
from harness.samplers.prometheus import parse_metrics_text

MIB = 1024 * 1024
API_METRICS_URL = "http://127.0.0.1:4000/metrics"
WORKER_METRICS_URL = "http://127.0.0.1:9101/metrics"
EVALUATION_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 60)
LLM_MODEL = "claude-haiku-4-5-20251001"
LLM_COST_PER_CALL_USD = 0.003
PLAN_SHA256 = "5e" * 32


@dataclass(frozen=True)
class ScenarioPlan:
    name: str
    executor: str
    method: str
    request: str
    rate_per_s: float
    median_ms: float
    sigma: float = 0.45
    error_p: float = 0.002


SCENARIOS = (
    ScenarioPlan("browse_problems", "constant-arrival-rate", "GET", "/api/v1/problems", 50, 9.0),
    ScenarioPlan("search_missions", "constant-arrival-rate", "GET", "/api/v1/missions/nearby", 30, 14.0),
    ScenarioPlan("create_problems", "constant-arrival-rate", "POST", "/api/v1/problems", 5, 22.0),
    ScenarioPlan("agent_registration_burst", "ramping-arrival-rate", "POST", "/api/v1/auth/agents/register", 20, 30.0),
)

# (key, expression) as the baseline plan writes them (seed 8.3 budgets).
THRESHOLDS = (
    ("http_req_duration", "p(95)<200"),
    ("http_req_duration", "p(99)<500"),
    ("http_req_duration{scenario:search_missions}", "p(95)<150"),
    ("http_req_failed", "rate<0.01"),
    ("guardrail_latency", "p(95)<2000"),
)


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    started_at: datetime
    seed: int
    latency_factor: float = 1.0  # multiplies every median latency: > 1 is a regression
    duration_s: float = 60.0
    window_s: float = 5.0
    redis_policy: str = "noeviction"
    redis_peak_mib: float = 48.0
    evicted_keys: int = 0
    with_guardrail: bool = True
    guardrail_median_s: float = 0.45
    plan_sha256: str = PLAN_SHA256
    profile: str = "ci"
    busy_windows: tuple[int, ...] | None = None  # sample windows a neighbour was busy in; None: health not recorded


CLEAN_FROM = 9  # weekly runs before this one were written before measurement health (health None)
DEGRADED_RUN = 10  # a neighbour was busy in its windows 3-8: its measurement is degraded
DEGRADED_WINDOWS = (3, 4, 5, 6, 7, 8)


def weekly_specs(count: int = 12, *, regression_from: int = 7, factor: float = 1.45) -> list[RunSpec]:
    """`count` weekly runs of one plan from 2026-08-03; runs from `regression_from` on are slower.
    The newest run also has Redis on allkeys-lru (and evictions), as seed 8.7 recommends. Runs
    from CLEAN_FROM on record measurement health: clean, but DEGRADED_RUN's is degraded."""
    start = datetime(2026, 8, 3, 3, 0, tzinfo=UTC)
    specs = []
    for index in range(count):
        moment = start + timedelta(days=7 * index, minutes=index)
        spec = RunSpec(run_id=f"{moment:%Y%m%dT%H%M%SZ}-baseline-{index:04x}", started_at=moment, seed=100 + index,
                       latency_factor=factor if index >= regression_from else 1.0,
                       redis_peak_mib=40.0 + 2.5 * index,
                       busy_windows=(DEGRADED_WINDOWS if index == DEGRADED_RUN else ()) if index >= CLEAN_FROM else None)
        if index == count - 1:
            spec = replace(spec, redis_policy="allkeys-lru", evicted_keys=37)
        specs.append(spec)
    return specs


def write_run(results_dir: Path, result: RunResult) -> Path:
    return save_result(result, results_dir / result.meta.run_id / "result.json")


def build_run(spec: RunSpec) -> RunResult:
    rng = np.random.default_rng(spec.seed)
    windows = round(spec.duration_s / spec.window_s)
    everything = hdr.new_histogram()
    scenarios: dict[str, ScenarioStats] = {}
    requests: list[RequestStats] = []
    series: list[SeriesPointModel] = []
    failed_total = 0
    for plan in SCENARIOS:
        whole = hdr.new_histogram()
        failed = 0
        for w in range(windows):
            rate = plan.rate_per_s * _shape(plan, w, windows)
            count = int(rng.poisson(rate * spec.window_s))
            bump = 1.0 + 0.25 * np.exp(-((w - windows * 0.6) ** 2) / 4.0)  # a short mid-run slowdown
            window = _histogram(rng.lognormal(np.log(plan.median_ms * spec.latency_factor * bump), plan.sigma, count))
            errors = int(rng.binomial(count, plan.error_p))
            whole.add(window)
            failed += errors
            p = hdr.percentiles_ms(window, (50.0, 95.0, 99.0))
            series.append(SeriesPointModel(
                t_s=w * spec.window_s, scenario=plan.name, requests=count, failures={"5xx": errors} if errors else {},
                p50_ms=p[50.0] if count else None, p95_ms=p[95.0] if count else None, p99_ms=p[99.0] if count else None,
                iterations_per_s=count / spec.window_s, dropped=0, active_vus=max(1, int(rate * 0.02)),
                allocated_vus=20))
        everything.add(whole)
        failed_total += failed
        total = whole.get_total_count()
        trend = _trend(whole)
        requests.append(RequestStats(scenario=plan.name, method=plan.method, name=plan.request, count=total,
                                     failures={"5xx": failed} if failed else {}, duration_ms=trend))
        scenarios[plan.name] = ScenarioStats(
            executor=plan.executor, exec=plan.name, start_time_s=0.0, duration_s=spec.duration_s,
            target_rate_per_s=plan.rate_per_s, achieved_rate_per_s=total / spec.duration_s, iterations_started=total,
            iterations_completed=total, iteration_errors=failed, dropped_iterations=0, vus_max=40, requests=total,
            failures={"5xx": failed} if failed else {}, http_req_duration=trend, iteration_duration=trend,
            iteration_lag=None)
    total = everything.get_total_count()
    metrics = {
        "http_req_duration": MetricValues(type="trend", contains="time", trend=_trend(everything)),
        "http_reqs": MetricValues(type="counter", count=total, rate=total / spec.duration_s),
        "http_req_failed": MetricValues(type="rate", rate=failed_total / total, passes=failed_total,
                                        fails=total - failed_total),
        "iterations": MetricValues(type="counter", count=total, rate=total / spec.duration_s),
        "dropped_iterations": MetricValues(type="counter", count=0, rate=0.0),
    }
    prometheus: list[PrometheusSample] = []
    if spec.with_guardrail:
        evaluations = _histogram(1000.0 * rng.lognormal(np.log(spec.guardrail_median_s * spec.latency_factor), 0.35,
                                                        int(5 * spec.duration_s)))
        # A custom Trend: the engine marks only its built-in trends as time (result_builder.TIME_TRENDS).
        metrics["guardrail_latency"] = MetricValues(type="trend", contains="default", trend=_trend(evaluations))
        prometheus = _prometheus_samples(spec, rng)
    thresholds = _thresholds(metrics, scenarios)
    return RunResult(
        meta=RunMeta(
            run_id=spec.run_id, started_at=spec.started_at, ended_at=spec.started_at + timedelta(seconds=spec.duration_s),
            duration_s=spec.duration_s, target="http://127.0.0.1:4000", plan_path="scenarios/baseline.yaml",
            plan_sha256=spec.plan_sha256, profile=spec.profile, duration_scale=0.2, git_sha="0123abcd" * 5,
            versions=Versions(python="3.11.7", locust="2.47.0", harness="0.1.0"),
            machine=Machine(hostname="perf-lab", cpu_count=2, platform="Linux"), workers=1, window_s=spec.window_s),
        complete=True,
        scenarios=scenarios,
        requests=requests,
        metrics=metrics,
        thresholds=thresholds,
        thresholds_ok=all(t.ok for t in thresholds),
        time_series=series,
        samples=Samples(interval_s=5.0, prometheus=prometheus, redis=_redis_samples(spec, rng)),
        generator=GeneratorHealth(lag_p50_ms=0.4, lag_p99_ms=2.1, lag_max_ms=6.0, dropped_iterations=0,
                                  processes=[ProcessCpu(role="local", pid=4242, cpu_percent_avg=31.0,
                                                        cpu_percent_max=55.0)],
                                  saturated=False, reasons=[]),
        health=None if spec.busy_windows is None else build_health(duration_s=spec.duration_s, window_s=spec.window_s,
                                                                   busy_windows=spec.busy_windows),
    )


SYSTEM_PROCESSES = "the embedded stack: postgres (4101), valkey-server (4102), python3 (4103), with their children"


def build_health(*, duration_s: float, window_s: float, busy_windows: Sequence[int] = (),
                 neighbour_cores: float = 1.5, generator_reasons: Sequence[str] = ()) -> MeasurementHealth:
    """Host conditions per sample window, judged by the real rules (`harness.health.rules`): a quiet
    host, except in `busy_windows`, where a neighbour takes `neighbour_cores` and CPU pressure climbs."""
    windows = []
    for index in range(round(duration_s / window_s)):
        busy = index in busy_windows
        other = neighbour_cores if busy else 0.06
        windows.append(judged(HostConditions(
            t_s=index * window_s, duration_s=window_s, cpu_pressure_some_pct=(24.0 + index) if busy else 3.0 + 0.2 * index,
            cpu_pressure_full_pct=0.0, memory_pressure_some_pct=0.0, memory_pressure_full_pct=0.0,
            io_pressure_some_pct=0.6, io_pressure_full_pct=0.2, load_avg_1m=2.4 if busy else 0.9,
            host_cpu_cores=0.85 + other, steal_pct=0.0, generator_cpu_cores=0.3, system_cpu_cores=0.55,
            other_cpu_cores=other)))
    total = judged(HostConditions(t_s=0.0, duration_s=duration_s, **{
        name: round(sum(getattr(w, name) for w in windows) / len(windows), 3)
        for name in ("cpu_pressure_some_pct", "cpu_pressure_full_pct", "memory_pressure_some_pct",
                     "memory_pressure_full_pct", "io_pressure_some_pct", "io_pressure_full_pct", "load_avg_1m",
                     "host_cpu_cores", "steal_pct", "generator_cpu_cores", "system_cpu_cores", "other_cpu_cores")}))
    reasons = run_reasons(windows, total, generator_reasons=generator_reasons)
    return MeasurementHealth(verdict="degraded" if reasons else "clean", reasons=reasons,
                             limits=DEFAULT_LIMITS.as_dict(), system_processes=SYSTEM_PROCESSES, total=total,
                             windows=windows)


def _shape(plan: ScenarioPlan, window: int, windows: int) -> float:
    """Constant executors hold their rate; the ramping one rises to its peak and falls back."""
    if plan.executor != "ramping-arrival-rate":
        return 1.0
    middle = (windows - 1) / 2.0
    return max(0.1, 1.0 - abs(window - middle) / (middle + 1.0)) * 2.0


def _histogram(samples_ms: np.ndarray) -> HdrHistogram:
    histogram = hdr.new_histogram()
    values_us, counts = np.unique(np.clip(np.rint(samples_ms * 1000.0), 1, None).astype(np.int64), return_counts=True)
    for value, count in zip(values_us.tolist(), counts.tolist()):
        histogram.record_value(value, count)
    return histogram


def _trend(histogram: HdrHistogram) -> TrendValues:
    p = hdr.percentiles_ms(histogram, (50.0, 90.0, 95.0, 99.0))
    return TrendValues(count=histogram.get_total_count(), avg=histogram.get_mean_value() / 1000.0,
                       min=histogram.get_min_value() / 1000.0, med=p[50.0], max=histogram.get_max_value() / 1000.0,
                       p90=p[90.0], p95=p[95.0], p99=p[99.0], hdr=hdr.encode(histogram))


def _thresholds(metrics: dict[str, MetricValues], scenarios: dict[str, ScenarioStats]) -> list[ThresholdResult]:
    found = []
    for key, expression in THRESHOLDS:
        limit = float(expression.split("<")[1])
        if key.startswith("http_req_duration{scenario:"):
            trend = scenarios[key.split(":")[1].rstrip("}")].http_req_duration
            observed = trend.p95 if trend else None
        elif key == "http_req_failed":
            observed = metrics[key].rate
        elif key in metrics and metrics[key].trend is not None:
            trend = metrics[key].trend
            observed = trend.p95 if "p(95)" in expression else trend.p99  # type: ignore[union-attr]
        else:
            observed = None
        found.append(ThresholdResult(metric=key, expression=expression, ok=observed is None or observed < limit,
                                     observed=observed, abort_on_fail=False))
    return found


def _prometheus_samples(spec: RunSpec, rng: np.random.Generator) -> list[PrometheusSample]:
    """Scrapes of a worker and an API registry every 5 s, as the engine's sampler stores them."""
    worker, api = CollectorRegistry(), CollectorRegistry()
    evaluations = Counter("guardrail_evaluations_total", "verdicts", ["outcome", "tier"], registry=worker)
    duration = Histogram("guardrail_evaluation_duration_seconds", "enqueue to verdict", ["tier"],
                         buckets=EVALUATION_BUCKETS_S, registry=worker)
    lookups = Counter("guardrail_cache_lookups_total", "cache", ["result"], registry=worker)
    calls = Counter("guardrail_llm_calls_total", "calls", ["model", "result"], registry=worker)
    cost = Counter("guardrail_llm_cost_usd_total", "cost", ["model"], registry=worker)
    worker_queue = Gauge("guardrail_queue_length", "XLEN", registry=worker)
    api_queue = Gauge("guardrail_queue_length", "XLEN", registry=api)
    for outcome in ("approved", "rejected", "needs_review"):  # as the worker's initialise(): series at zero
        for tier in ("prefilter", "cache", "llm", "dead_letter"):
            evaluations.labels(outcome, tier)
    for result in ("hit", "miss", "error"):
        lookups.labels(result)
    cost.labels(LLM_MODEL)
    samples = []
    interval_s = 5.0
    for step in range(int(spec.duration_s / interval_s) + 1):
        t_s = step * interval_s
        if step:
            for tier, share, typical_s in (("prefilter", 0.25, 0.004), ("cache", 0.35, 0.003), ("llm", 0.4, None)):
                count = int(rng.poisson(5.0 * interval_s * share))
                for _ in range(count):
                    outcome = rng.choice(["approved", "rejected", "needs_review"], p=[0.8, 0.12, 0.08])
                    evaluations.labels(str(outcome), tier).inc()
                    seconds = typical_s or float(rng.lognormal(np.log(spec.guardrail_median_s * spec.latency_factor), 0.35))
                    duration.labels(tier).observe(seconds)
                    if tier != "prefilter":
                        lookups.labels("hit" if tier == "cache" else "miss").inc()
                    if tier == "llm":
                        calls.labels(LLM_MODEL, "ok").inc()
                        cost.labels(LLM_MODEL).inc(LLM_COST_PER_CALL_USD)
        queue = float(rng.poisson(3.0 * spec.latency_factor)) if step else 0.0
        worker_queue.set(queue)
        api_queue.set(queue)
        for url, registry in ((API_METRICS_URL, api), (WORKER_METRICS_URL, worker)):
            values = parse_metrics_text(generate_latest(registry).decode())
            samples.append(PrometheusSample(t_s=t_s, url=url, values=values))
    return samples


def _redis_samples(spec: RunSpec, rng: np.random.Generator) -> list[RedisSample]:
    points = []
    steps = int(spec.duration_s / 5.0)
    evicted_before = 1200  # INFO counts since the server started
    for step in range(steps + 1):
        used = spec.redis_peak_mib * MIB * (0.7 + 0.3 * step / steps) * float(rng.uniform(0.97, 1.0))
        evicted = evicted_before + (spec.evicted_keys * step) // steps
        points.append(RedisSample(t_s=step * 5.0, used_memory=int(used), used_memory_rss=int(used * 1.18 + 6 * MIB),
                                  maxmemory=256 * MIB, maxmemory_policy=spec.redis_policy, connected_clients=12,
                                  evicted_keys=evicted))
    return points
