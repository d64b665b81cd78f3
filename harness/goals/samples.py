"""Reading the sampled figures a goal needs out of a run result (pure).

Sources are told apart by what they expose, not by URL: the API's /metrics has the pool gauges
(`db_pool_size`), the worker's has `guardrail_evaluations_total` (or `guardrail_pending_jobs`).
"""

from __future__ import annotations

from harness.results.model import PrometheusSample, RunResult

SOURCE_MARKERS = {"api": ("db_pool_size",), "worker": ("guardrail_pending_jobs", "guardrail_evaluations_total")}


def base_name(key: str) -> str:
    return key.split("{", 1)[0]


def has_metric(sample: PrometheusSample, name: str) -> bool:
    return any(base_name(key) == name for key in sample.values)


def metric_value(sample: PrometheusSample, name: str) -> float | None:
    """The metric summed over its label sets (None when the sample does not have it)."""
    values = [v for key, v in sample.values.items() if base_name(key) == name]
    return sum(values) if values else None


def source_url(result: RunResult, source: str) -> str | None:
    markers = SOURCE_MARKERS[source]
    for sample in result.samples.prometheus:
        if any(has_metric(sample, m) for m in markers):
            return sample.url
    return None


def series(result: RunResult, name: str, *, url: str | None = None) -> list[tuple[float, float]]:
    """(t_s, value) of a metric, from one URL or the first URL that has it."""
    chosen = url
    points: list[tuple[float, float]] = []
    for sample in result.samples.prometheus:
        if chosen is not None and sample.url != chosen:
            continue
        value = metric_value(sample, name)
        if value is None:
            continue
        chosen = sample.url
        points.append((sample.t_s, value))
    return points


def load_end_s(result: RunResult) -> float:
    """When the last scenario's scheduled load ended (seconds from the run start)."""
    return max((s.start_time_s + s.duration_s for s in result.scenarios.values()), default=0.0)
