"""Synthetic runs drawn from known distributions (seeded), for the comparison's statistical tests.

Latencies are lognormal (median `median_ms`, shape `sigma`), recorded into a real HdrHistogram at
the harness's resolution; errors are binomial; request and iteration counts are Poisson around the
planned rate; peak memory is a normal reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from harness.compare import builders
from harness.compare.inputs import RunMetrics, metric_key
from harness.metrics import hdr

DURATION_S = 60.0


@dataclass(frozen=True)
class RequestSpec:
    scenario: str
    name: str
    rate_per_s: float
    median_ms: float
    sigma: float = 0.5
    error_p: float = 0.002


@dataclass(frozen=True)
class RunSpec:
    requests: tuple[RequestSpec, ...]
    memory_bytes: float = 64 * 1024 * 1024
    memory_sd_fraction: float = 0.01
    dropped_p: float = 0.001
    plan: dict[str, object] = field(default_factory=dict)

    def scaled_latency(self, factor: float, *, only: str | None = None) -> RunSpec:
        """The same run with every (or one request's) latency multiplied by `factor`."""
        return replace(self, requests=tuple(
            replace(r, median_ms=r.median_ms * factor) if only in (None, r.name) else r for r in self.requests
        ))


STANDARD = RunSpec(requests=(
    RequestSpec("browse_problems", "GET /api/v1/problems", rate_per_s=50, median_ms=12),
    RequestSpec("browse_problems", "GET /api/v1/problems/{id}", rate_per_s=5, median_ms=8),
    RequestSpec("search_missions", "GET /api/v1/missions/nearby", rate_per_s=30, median_ms=20, sigma=0.6),
    RequestSpec("create_problems", "POST /api/v1/problems", rate_per_s=5, median_ms=35, error_p=0.005),
    RequestSpec("agent_registration_burst", "POST /api/v1/auth/register", rate_per_s=2, median_ms=60, sigma=0.4),
))


def latency_histogram(samples_ms: np.ndarray):
    histogram = hdr.new_histogram()
    values_us, counts = np.unique(np.clip(np.rint(samples_ms * 1000.0), 1, None).astype(np.int64), return_counts=True)
    for value, count in zip(values_us.tolist(), counts.tolist()):
        histogram.record_value(value, count)
    return histogram


def synthetic_run(spec: RunSpec, *, seed: int, run_id: str | None = None) -> RunMetrics:
    rng = np.random.default_rng(seed)
    metrics = {}
    iterations: dict[str, int] = {}
    for request in spec.requests:
        count = int(rng.poisson(request.rate_per_s * DURATION_S))
        samples = rng.lognormal(np.log(request.median_ms), request.sigma, count)
        distribution = builders.distribution_ms(latency_histogram(samples))
        prefix = (request.scenario, request.name)
        if distribution is not None:
            metrics.update(builders.latency_from_distribution(prefix, distribution))
        builders.put(metrics, metric_key(*prefix, "error_rate_pct"), builders.error_rate(int(rng.binomial(count, request.error_p)), count))
        builders.put(metrics, metric_key(*prefix, "throughput_per_s"), builders.throughput(count, DURATION_S))
        iterations[request.scenario] = iterations.get(request.scenario, 0) + count
    for scenario, started in iterations.items():
        builders.put(metrics, metric_key(scenario, "achieved_rate_per_s"), builders.throughput(started, DURATION_S))
        dropped = int(rng.binomial(started, spec.dropped_p))
        builders.put(metrics, metric_key(scenario, "dropped_iterations_pct"), builders.dropped_share(dropped, started))
    metrics[metric_key("redis", "used_memory_peak_bytes")] = builders.peak_bytes(
        spec.memory_bytes * (1.0 + spec.memory_sd_fraction * rng.standard_normal()))
    plan = spec.plan or {"scenarios": sorted(iterations)}
    return RunMetrics(run_id=run_id or f"seed-{seed}", source=f"synthetic-{seed}.json", source_format="synthetic",
                      started_at=None, plan=plan, plan_known=True, metrics=metrics)
