"""Run results with a time structure, built through the real result model: per-window latency
histograms (optionally with a burst of slow windows), measurement health per sample window, and
the server's own per-route histograms. For the rules that read time, health and the server."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from harness.health.rules import DEFAULT_LIMITS, judged, run_reasons
from harness.metrics import hdr
from harness.results.model import (
    HostConditions,
    LatencyWindows,
    MeasurementHealth,
    RequestStats,
    RunResult,
    ServerLatency,
    ServerRouteLatency,
    TrendValues,
)
from tests.harness.compare.results_factory import BASELINE_PLAN, build_result, histogram_of, trend_of

WINDOWS = 60
BUCKETS_S = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
ROUTES = {"/api/v1/problems": "/api/v1/problems", "/api/v1/missions/nearby": "/api/v1/missions/nearby",
          "/api/v1/problems#POST": "/api/v1/problems"}


@dataclass(frozen=True)
class Conditions:
    """Host conditions for a range of sample windows (2 s each): [first, last)."""

    first: int = 0
    last: int = 30
    psi: float = 3.0
    other_cores: float = 0.02


@dataclass(frozen=True)
class TimedPlan:
    slower_ms: float = 0.0  # added to every sample (a client-side regression)
    server_slower_ms: float = 0.0  # added on the server side too (the server saw it)
    only_name: str | None = None  # the delay applies to this request name only
    burst_windows: tuple[int, ...] = ()  # windows whose latencies are multiplied by burst_factor
    burst_factor: float = 1.0
    host: tuple[Conditions, ...] = field(default_factory=lambda: (Conditions(),))
    lag_p99_ms: float | None = None  # the generator's start lag in every scenario
    windows: bool = True


@lru_cache(maxsize=64)  # results are frozen models: several tests share one build
def timed_result(plan: TimedPlan, *, seed: int, run_id: str | None = None) -> RunResult:
    rng = np.random.default_rng(seed)
    base = build_result(BASELINE_PLAN, seed=seed, run_id=run_id)
    requests, windows, routes = [], [], []
    everything = hdr.new_histogram()
    per_window_all = [hdr.new_histogram() for _ in range(WINDOWS)]
    for spec in BASELINE_PLAN.requests:
        delayed = plan.only_name in (None, spec.name)
        total = hdr.new_histogram()
        texts, server_samples = [], []
        for index in range(WINDOWS):
            count = int(rng.poisson(spec.rate_per_s))
            samples = rng.lognormal(np.log(spec.median_ms), spec.sigma, count)
            if index in plan.burst_windows:
                samples = samples * plan.burst_factor
            server_samples.append(samples + (plan.server_slower_ms if delayed else 0.0))
            samples = samples + (plan.slower_ms if delayed else 0.0)
            histogram = histogram_of(samples)
            texts.append(hdr.encode(histogram))
            total.add(histogram)
            per_window_all[index].add(histogram)
        everything.add(total)
        requests.append(RequestStats(scenario=spec.scenario, method=spec.method, name=spec.name, count=total.get_total_count(),
                                     failures={}, duration_ms=trend_of(total)))
        if plan.windows:
            windows.append(LatencyWindows(scenario=spec.scenario, method=spec.method, name=spec.name, block_s=1.0,
                                          t_s=[float(i) for i in range(WINDOWS)], hdr=texts))
        routes.append(_route(spec.method, spec.name, np.concatenate(server_samples) / 1000.0))
    if plan.windows:
        windows.append(LatencyWindows(scenario=None, method=None, name="http_req_duration", block_s=1.0,
                                      t_s=[float(i) for i in range(WINDOWS)], hdr=[hdr.encode(h) for h in per_window_all]))
    metrics = dict(base.metrics)
    metrics["http_req_duration"] = metrics["http_req_duration"].model_copy(update={"trend": trend_of(everything)})
    scenarios = base.scenarios
    if plan.lag_p99_ms is not None:
        lag = _lag(plan.lag_p99_ms)
        scenarios = {name: s.model_copy(update={"iteration_lag": lag}) for name, s in scenarios.items()}
    return base.model_copy(update={
        "requests": requests, "latency_windows": windows, "metrics": metrics, "scenarios": scenarios,
        "health": health_of(plan.host),
        "server_latency": ServerLatency(url="http://127.0.0.1:4000/metrics", start_t_s=0.0, end_t_s=60.0, routes=routes),
    })


def health_of(ranges: tuple[Conditions, ...]) -> MeasurementHealth:
    windows = []
    for block in ranges:
        for index in range(block.first, block.last):
            windows.append(judged(HostConditions(t_s=2.0 * index, duration_s=2.0, cpu_pressure_some_pct=block.psi,
                                                 other_cpu_cores=block.other_cores, steal_pct=0.0)))
    windows.sort(key=lambda w: w.t_s)
    span = sum(w.duration_s for w in windows)
    total = judged(HostConditions(
        t_s=0.0, duration_s=span, steal_pct=0.0,
        cpu_pressure_some_pct=sum(w.cpu_pressure_some_pct * w.duration_s for w in windows) / span,  # type: ignore[operator]
        other_cpu_cores=sum(w.other_cpu_cores * w.duration_s for w in windows) / span))  # type: ignore[operator]
    reasons = run_reasons(windows, total, generator_reasons=[])
    return MeasurementHealth(verdict="degraded" if reasons else "clean", reasons=reasons, limits=DEFAULT_LIMITS.as_dict(),
                             system_processes="test", total=total, windows=windows)


def _route(method: str, name: str, samples_s: np.ndarray) -> ServerRouteLatency:
    cumulative = [(bound, int(np.sum(samples_s <= bound))) for bound in BUCKETS_S]
    return ServerRouteLatency(route=name, method=method, count=len(samples_s), sum_s=float(samples_s.sum()), buckets=cumulative)


def _lag(p99_ms: float) -> TrendValues:
    histogram = histogram_of(np.full(100, p99_ms))
    return trend_of(histogram)
