"""Run results built through the real model (`harness.results.RunResult`) from seeded distributions.

Used by the comparison's file-level tests and by `benchmarks/compare_1m.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from hdrh.histogram import HdrHistogram

from harness.metrics import hdr
from harness.results.model import (
    GeneratorHealth,
    Machine,
    MetricValues,
    RedisSample,
    RequestStats,
    RunMeta,
    RunResult,
    Samples,
    ScenarioStats,
    TrendValues,
    Versions,
)


@dataclass(frozen=True)
class RequestPlan:
    scenario: str
    method: str
    name: str
    rate_per_s: float
    median_ms: float
    sigma: float = 0.5
    error_p: float = 0.002


@dataclass(frozen=True)
class ResultPlan:
    requests: tuple[RequestPlan, ...]
    duration_s: float = 60.0
    executor: str = "constant-arrival-rate"
    guardrail_median_ms: float | None = 400.0
    guardrail_rate_per_s: float = 5.0
    redis_peak_bytes: float = 64 * 1024 * 1024
    plan_sha256: str = "0" * 64

    def scaled(self, factor: float, *, name: str | None = None, method: str | None = None) -> ResultPlan:
        from dataclasses import replace

        return replace(self, requests=tuple(
            replace(r, median_ms=r.median_ms * factor) if name in (None, r.name) and method in (None, r.method) else r
            for r in self.requests))


BASELINE_PLAN = ResultPlan(requests=(
    RequestPlan("browse_problems", "GET", "/api/v1/problems", rate_per_s=200, median_ms=12),
    RequestPlan("search_missions", "GET", "/api/v1/missions/nearby", rate_per_s=120, median_ms=20, sigma=0.6),
    RequestPlan("create_problems", "POST", "/api/v1/problems", rate_per_s=40, median_ms=35, error_p=0.004),
))


def histogram_of(samples_ms: np.ndarray) -> HdrHistogram:
    """Record many samples fast: one `record_value(value, count)` per distinct microsecond."""
    histogram = hdr.new_histogram()
    values_us, counts = np.unique(np.clip(np.rint(samples_ms * 1000.0), 1, None).astype(np.int64), return_counts=True)
    for value, count in zip(values_us.tolist(), counts.tolist()):
        histogram.record_value(value, count)
    return histogram


def trend_of(histogram: HdrHistogram) -> TrendValues:
    p = hdr.percentiles_ms(histogram, (50.0, 90.0, 95.0, 99.0))
    return TrendValues(
        count=histogram.get_total_count(),
        avg=histogram.get_mean_value() / 1000.0,
        min=histogram.get_min_value() / 1000.0,
        med=p[50.0],
        max=histogram.get_max_value() / 1000.0,
        p90=p[90.0],
        p95=p[95.0],
        p99=p[99.0],
        hdr=hdr.encode(histogram),
    )


def build_result(plan: ResultPlan, *, seed: int, run_id: str | None = None, started_at: datetime | None = None) -> RunResult:
    rng = np.random.default_rng(seed)
    start = started_at or datetime(2026, 1, 5, 3, 0, tzinfo=UTC) + timedelta(days=seed)
    requests: list[RequestStats] = []
    scenario_hist: dict[str, HdrHistogram] = {}
    scenario_counts: dict[str, list[int]] = {}
    everything = hdr.new_histogram()
    for r in plan.requests:
        count = int(rng.poisson(r.rate_per_s * plan.duration_s))
        histogram = histogram_of(rng.lognormal(np.log(r.median_ms), r.sigma, count))
        failures = int(rng.binomial(count, r.error_p))
        requests.append(RequestStats(scenario=r.scenario, method=r.method, name=r.name, count=count,
                                     failures={"5xx": failures} if failures else {}, duration_ms=trend_of(histogram)))
        scenario_hist.setdefault(r.scenario, hdr.new_histogram()).add(histogram)
        everything.add(histogram)
        totals = scenario_counts.setdefault(r.scenario, [0, 0, 0])
        totals[0] += count
        totals[1] += failures
        totals[2] += int(rng.binomial(count, 0.001))
    scenarios = {
        name: ScenarioStats(
            executor=plan.executor, exec=name, start_time_s=0.0, duration_s=plan.duration_s,
            target_rate_per_s=sum(r.rate_per_s for r in plan.requests if r.scenario == name),
            achieved_rate_per_s=count / plan.duration_s, iterations_started=count, iterations_completed=count,
            iteration_errors=failed, dropped_iterations=dropped, vus_max=20, requests=count,
            failures={"5xx": failed} if failed else {}, http_req_duration=trend_of(scenario_hist[name]),
            iteration_duration=None, iteration_lag=None,
        )
        for name, (count, failed, dropped) in scenario_counts.items()
    }
    total = sum(c[0] for c in scenario_counts.values())
    failed_total = sum(c[1] for c in scenario_counts.values())
    metrics = {
        "http_req_duration": MetricValues(type="trend", contains="time", trend=trend_of(everything)),
        "http_reqs": MetricValues(type="counter", count=total, rate=total / plan.duration_s),
        "http_req_failed": MetricValues(type="rate", rate=failed_total / max(total, 1), passes=failed_total, fails=total - failed_total),
        "iterations": MetricValues(type="counter", count=total, rate=total / plan.duration_s),
        "dropped_iterations": MetricValues(type="counter", count=sum(c[2] for c in scenario_counts.values())),
    }
    if plan.guardrail_median_ms is not None:
        guardrail = histogram_of(rng.lognormal(np.log(plan.guardrail_median_ms), 0.3, int(plan.guardrail_rate_per_s * plan.duration_s)))
        metrics["guardrail_latency"] = MetricValues(type="trend", contains="time", trend=trend_of(guardrail))
    redis = [RedisSample(t_s=5.0 * i, used_memory=int(plan.redis_peak_bytes * (0.9 + 0.1 * i / 10))) for i in range(11)]
    return RunResult(
        meta=RunMeta(
            run_id=run_id or f"run-{seed}", started_at=start, ended_at=start + timedelta(seconds=plan.duration_s),
            duration_s=plan.duration_s, target="http://127.0.0.1:4000", plan_path="scenarios/baseline.yaml",
            plan_sha256=plan.plan_sha256, profile="ci", duration_scale=0.2, git_sha=None,
            versions=Versions(python="3.11", locust="2.47", harness="0.1.0"),
            machine=Machine(hostname="test", cpu_count=2, platform="linux"), workers=1, window_s=1.0,
        ),
        complete=True,
        scenarios=scenarios,
        requests=requests,
        metrics=metrics,
        thresholds=[],
        thresholds_ok=True,
        time_series=[],
        samples=Samples(interval_s=5.0, redis=redis),
        generator=GeneratorHealth(lag_p50_ms=0.1, lag_p99_ms=1.0, lag_max_ms=2.0, dropped_iterations=0,
                                  processes=[], saturated=False, reasons=[]),
    )
