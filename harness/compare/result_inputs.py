"""Our run result (`harness.results.RunResult`) as a comparison input.

Per scenario x request: latency p50/p95/p99 from the stored HdrHistogram, error rate (the HTTP
failure classes 4xx, 429, 5xx and connection: k6's `http_req_failed`, so a k6 file and a result
mean the same by it; failed checks on 2xx responses are not in it), throughput over the
scenario's duration. Per scenario: achieved iteration rate and
dropped iterations as a share of those scheduled. The whole run: the same from the run-wide k6
metrics. Custom trends (`guardrail_latency`): p50/p95/p99 and throughput. Redis: the peak of
`used_memory` over the INFO samples.

The plan fingerprint is read from each scenario's executor, exec, start time, duration and target
rate, plus the profile and its duration scale.
"""

from __future__ import annotations

from typing import Any

from harness.compare import builders
from harness.compare.inputs import (
    ALL,
    MetricValue,
    RunMetrics,
    metric_key,
    request_label,
)
from harness.metrics import hdr
from harness.metrics.failures import HTTP_FAILURE_CLASSES
from harness.metrics.names import BUILTIN_METRICS
from harness.results.model import MetricValues, RunResult, TrendValues

HTTP_FAILURES = frozenset(failure_class.value for failure_class in HTTP_FAILURE_CLASSES)
K6_TIMING_TRENDS = frozenset({
    "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending",
    "http_req_waiting", "http_req_receiving", "group_duration",
})


def from_result(result: RunResult, *, source: str) -> RunMetrics:
    metrics: dict[str, MetricValue] = {}
    for request in result.requests:
        prefix = (request.scenario, request_label(request.method, request.name))
        _latency(metrics, prefix, request.duration_ms)
        http_failures = sum(n for failure_class, n in request.failures.items() if failure_class in HTTP_FAILURES)
        builders.put(metrics, metric_key(*prefix, "error_rate_pct"), builders.error_rate(http_failures, request.count))
        scenario = result.scenarios.get(request.scenario)
        if scenario is not None:
            builders.put(metrics, metric_key(*prefix, "throughput_per_s"), builders.throughput(request.count, scenario.duration_s))
    for name, stats in result.scenarios.items():
        builders.put(metrics, metric_key(name, "achieved_rate_per_s"), builders.throughput(stats.iterations_started, stats.duration_s))
        builders.put(metrics, metric_key(name, "dropped_iterations_pct"), builders.dropped_share(stats.dropped_iterations, stats.iterations_started))
    _run_wide(metrics, result)
    peaks = [sample.used_memory for sample in result.samples.redis if sample.used_memory is not None]
    if peaks:
        metrics[metric_key("redis", "used_memory_peak_bytes")] = builders.peak_bytes(max(peaks))
    return RunMetrics(
        run_id=result.meta.run_id,
        source=source,
        source_format="bwperf run result",
        started_at=result.meta.started_at,
        plan=plan_fingerprint(result),
        plan_known=True,
        metrics=metrics,
        plan_sha256=result.meta.plan_sha256,
    )


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


def _latency(metrics: dict[str, MetricValue], prefix: tuple[str, ...], trend: TrendValues | None) -> None:
    if trend is None or trend.count == 0:
        return
    distribution = builders.distribution_ms(hdr.decode(trend.hdr))
    if distribution is not None:
        metrics.update(builders.latency_from_distribution(prefix, distribution))


def _run_wide(metrics: dict[str, MetricValue], result: RunResult) -> None:
    run_s = result.meta.duration_s
    by_name: dict[str, MetricValues] = dict(result.metrics)
    if (duration := by_name.get("http_req_duration")) is not None:
        _latency(metrics, (ALL, ALL), duration.trend)
    if (failed := by_name.get("http_req_failed")) is not None and failed.passes is not None and failed.fails is not None:
        builders.put(metrics, metric_key(ALL, ALL, "error_rate_pct"), builders.error_rate(failed.passes, failed.passes + failed.fails))
    if (requests := by_name.get("http_reqs")) is not None and requests.count is not None:
        builders.put(metrics, metric_key(ALL, ALL, "throughput_per_s"), builders.throughput(requests.count, run_s))
    if (iterations := by_name.get("iterations")) is not None and iterations.count is not None:
        builders.put(metrics, metric_key(ALL, "achieved_rate_per_s"), builders.throughput(iterations.count, run_s))
        dropped = by_name.get("dropped_iterations")
        dropped_count = dropped.count if dropped is not None and dropped.count is not None else 0
        builders.put(metrics, metric_key(ALL, "dropped_iterations_pct"), builders.dropped_share(dropped_count, iterations.count))
    for name, values in sorted(by_name.items()):
        if name in BUILTIN_METRICS or name in K6_TIMING_TRENDS or values.type != "trend" or values.trend is None:
            continue
        if values.contains == "time":
            _latency(metrics, (name,), values.trend)
        builders.put(metrics, metric_key(name, "throughput_per_s"), builders.throughput(values.trend.count, run_s))
