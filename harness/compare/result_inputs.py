"""Our run result (`harness.results.RunResult`) as a comparison input.

Per scenario x request: latency p50/p95/p99 (the values the result stores, `TrendValues`
med/p95/p99, clamped to the exact extremes as the summary shows them; the stored HdrHistogram
gives their noise band), error rate (the HTTP failure classes 4xx, 429, 5xx and connection: k6's
`http_req_failed`, so a k6 file and a result mean the same by it; failed checks on 2xx responses
are not in it), throughput over the scenario's duration (as much of it as ran, when the run
stopped early). Per scenario: achieved iteration rate and dropped iterations as a share of those
scheduled, and, for `saturation: queue`, p50/p95/p99 of `iteration_duration_scheduled` (from the
scheduled start: what users arriving on the schedule waited). The whole run: the same from the run-wide k6 metrics, its rates per second of the load
phase (`harness.results.figures.load_phase_s`: the scenarios' scheduled time, not the drain after
it). Custom trends (`guardrail_latency`): p50/p95/p99 and throughput. Redis: the peak of
`used_memory` over the INFO samples (`redis_headroom`, the figure the report and dashboard divide
by maxmemory). The target's own view (`server/...`): p50/p95/p99 of its
request-duration histogram per route over the load phase (see `server_inputs`).

Each latency keeps its time blocks (`latency_windows`) for the block bootstrap, and each value
the span of the run it was measured in, against which the measurement health is read.

The plan fingerprint is read from each scenario's executor, exec, start time, duration and target
rate, plus the profile and its duration scale.
"""

from __future__ import annotations

from typing import Any

from harness.compare import builders
from harness.compare.inputs import (
    ALL,
    SERVER,
    MetricValue,
    RunMetrics,
    TimeBlocks,
    metric_key,
    request_label,
)
from harness.compare.server_inputs import server_metrics, server_prefix
from harness.metrics import hdr
from harness.metrics.failures import HTTP_FAILURE_CLASSES
from harness.metrics.names import BUILTIN_METRICS, HTTP_REQ_DURATION, ITERATION_DURATION_SCHEDULED
from harness.results.model import LatencyWindows, MetricValues, RunResult, ScenarioStats, TrendValues
from harness.results.figures import load_phase_s
from harness.results.samples import redis_headroom

Span = tuple[float, float]

HTTP_FAILURES = frozenset(failure_class.value for failure_class in HTTP_FAILURE_CLASSES)
K6_TIMING_TRENDS = frozenset({
    "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending",
    "http_req_waiting", "http_req_receiving", "group_duration",
})


def from_result(result: RunResult, *, source: str) -> RunMetrics:
    metrics: dict[str, MetricValue] = {}
    blocks = {(w.scenario, w.method, w.name): w for w in result.latency_windows}
    for request in result.requests:
        prefix = (request.scenario, request_label(request.method, request.name))
        span = _scenario_span(result, request.scenario)
        scope = {"span_s": span, "scenario": request.scenario}
        _latency(metrics, prefix, request.duration_ms, blocks.get((request.scenario, request.method, request.name)), **scope)
        http_failures = sum(n for failure_class, n in request.failures.items() if failure_class in HTTP_FAILURES)
        builders.put(metrics, metric_key(*prefix, "error_rate_pct"), builders.error_rate(http_failures, request.count), **scope)
        scenario = result.scenarios.get(request.scenario)
        if scenario is not None:
            builders.put(metrics, metric_key(*prefix, "throughput_per_s"),
                         builders.throughput(request.count, _ran_s(result, scenario)), **scope)
    for name, stats in result.scenarios.items():
        scope = {"span_s": _scenario_span(result, name), "scenario": name}
        builders.put(metrics, metric_key(name, "achieved_rate_per_s"),
                     builders.throughput(stats.iterations_started, _ran_s(result, stats)), **scope)
        builders.put(metrics, metric_key(name, "dropped_iterations_pct"), builders.dropped_share(stats.dropped_iterations, stats.iterations_started), **scope)
        if stats.saturation == "queue":  # late iterations are timed from their schedule: the users' latency
            _latency(metrics, (name, ITERATION_DURATION_SCHEDULED), stats.iteration_duration_scheduled, None, **scope)
    _run_wide(metrics, result, blocks)
    headroom = redis_headroom(result.samples)
    if headroom is not None:
        metrics[metric_key("redis", "used_memory_peak_bytes")] = builders.peak_bytes(headroom.peak_used_bytes)
    if result.server_latency is not None:
        metrics.update(server_metrics(result.server_latency, client_requests=[(r.method, r.name) for r in result.requests],
                                      span_s=_run_span(result)))
    return RunMetrics(
        run_id=result.meta.run_id,
        source=source,
        source_format="bwperf run result",
        started_at=result.meta.started_at,
        plan=plan_fingerprint(result),
        plan_known=True,
        metrics=metrics,
        plan_sha256=result.meta.plan_sha256,
        health=result.health,
        generator_reasons=tuple(r for r in result.generator.reasons if "iteration start lag" not in r),
        scenario_lag_p99_ms={name: s.iteration_lag.p99 for name, s in result.scenarios.items() if s.iteration_lag is not None},
        server_routes=_server_routes(result),
        target=result.meta.target,
    )


def _server_routes(result: RunResult) -> dict[str, str]:
    """Which server route each client-side request prefix hit (`(all)/(all)` -> `server/(all)`)."""
    if result.server_latency is None:
        return {}
    routes = result.server_latency.routes
    found = {metric_key(r.scenario, request_label(r.method, r.name)): server_prefix(r.method, r.name, routes)
             for r in result.requests}
    mapped = {client: server for client, server in found.items() if server is not None}
    if mapped:
        mapped[metric_key(ALL, ALL)] = metric_key(SERVER, ALL)
    return mapped


def _scenario_span(result: RunResult, name: str) -> Span:
    stats = result.scenarios.get(name)
    if stats is None:
        return _run_span(result)
    return (stats.start_time_s, stats.start_time_s + stats.duration_s)


def _run_span(result: RunResult) -> Span:
    return (0.0, result.meta.duration_s)


def _ran_s(result: RunResult, stats: ScenarioStats) -> float:
    """The scenario's scheduled duration, or as much of it as ran when the run stopped early (as the
    engine divides its achieved rate)."""
    return min(stats.duration_s, max(0.0, result.meta.duration_s - stats.start_time_s))


def plan_fingerprint(result: RunResult) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "scenarios": sorted(result.scenarios),
        "profile": result.meta.profile,
        "duration_scale": result.meta.duration_scale,
    }
    for name, stats in result.scenarios.items():
        plan[f"scenario.{name}.executor"] = stats.executor
        plan[f"scenario.{name}.exec"] = stats.exec
        plan[f"scenario.{name}.start_time_s"] = stats.start_time_s
        plan[f"scenario.{name}.duration_s"] = stats.duration_s
        plan[f"scenario.{name}.rate_per_s"] = stats.target_rate_per_s
    return plan


def _latency(metrics: dict[str, MetricValue], prefix: tuple[str, ...], trend: TrendValues | None,
             windows: LatencyWindows | None, *, span_s: Span, scenario: str | None = None) -> None:
    if trend is None or trend.count == 0:
        return
    distribution = builders.distribution_ms(hdr.decode(trend.hdr))
    if distribution is not None:
        metrics.update(builders.latency_from_distribution(prefix, distribution, blocks=_time_blocks(windows),
                                                          span_s=span_s, scenario=scenario,
                                                          values_ms={"p50": trend.med, "p95": trend.p95, "p99": trend.p99}))


def _time_blocks(windows: LatencyWindows | None) -> TimeBlocks | None:
    if windows is None or len(windows.hdr) < 2:
        return None
    texts = tuple(windows.hdr)

    def decode() -> list:
        parts = (builders.distribution_ms(hdr.decode(text)) for text in texts)
        return [part for part in parts if part is not None]

    return TimeBlocks(block_s=windows.block_s, decode=decode)


def _run_wide(metrics: dict[str, MetricValue], result: RunResult, blocks: dict) -> None:
    run_s = load_phase_s(result)  # rates per second of load: the drain after the schedule is not load
    scope = {"span_s": _run_span(result)}
    by_name: dict[str, MetricValues] = dict(result.metrics)
    if (duration := by_name.get("http_req_duration")) is not None:
        _latency(metrics, (ALL, ALL), duration.trend, blocks.get((None, None, HTTP_REQ_DURATION)), **scope)
    if (failed := by_name.get("http_req_failed")) is not None and failed.passes is not None and failed.fails is not None:
        builders.put(metrics, metric_key(ALL, ALL, "error_rate_pct"), builders.error_rate(failed.passes, failed.passes + failed.fails), **scope)
    if (requests := by_name.get("http_reqs")) is not None and requests.count is not None:
        builders.put(metrics, metric_key(ALL, ALL, "throughput_per_s"), builders.throughput(requests.count, run_s), **scope)
    if (iterations := by_name.get("iterations")) is not None and iterations.count is not None:
        builders.put(metrics, metric_key(ALL, "achieved_rate_per_s"), builders.throughput(iterations.count, run_s), **scope)
        dropped = by_name.get("dropped_iterations")
        dropped_count = dropped.count if dropped is not None and dropped.count is not None else 0
        builders.put(metrics, metric_key(ALL, "dropped_iterations_pct"), builders.dropped_share(dropped_count, iterations.count), **scope)
    for name, values in sorted(by_name.items()):
        if name in BUILTIN_METRICS or name in K6_TIMING_TRENDS or values.type != "trend" or values.trend is None:
            continue
        if values.contains == "time":
            _latency(metrics, (name,), values.trend, blocks.get((None, None, name)), **scope)
        builders.put(metrics, metric_key(name, "throughput_per_s"), builders.throughput(values.trend.count, run_s), **scope)
