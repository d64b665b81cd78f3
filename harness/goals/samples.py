"""The sampled series a goal needs, out of a run result: which scrape URL is the API's or the
worker's, and a metric's values over time there. Reads through `harness.results.samples`, the one
reader of Prometheus series keys (pure).

Sources are told apart by what they expose, not by URL: the API's /metrics has the pool gauges
(`db_pool_size`), the worker's has `guardrail_evaluations_total` (or `guardrail_pending_jobs`).
"""

from __future__ import annotations

from harness.results import samples
from harness.results.model import PrometheusSample, RunResult
from harness.results.samples import EMPTY, Line

SOURCE_MARKERS = {"api": ("db_pool_size",), "worker": ("guardrail_pending_jobs", "guardrail_evaluations_total")}


def source_url(result: RunResult, source: str) -> str | None:
    """The first scraped URL exposing one of the source's marker metrics."""
    for url, points in samples.by_url(result.samples).items():
        if any(samples.exports(points, marker) for marker in SOURCE_MARKERS[source]):
            return url
    return None


def scrapes(result: RunResult, name: str, *, url: str | None = None) -> tuple[str | None, list[PrometheusSample]]:
    """The scrapes (time order) of `url`, or of the first URL that exports `name`; (None, []) if none does."""
    grouped = samples.by_url(result.samples)
    if url is not None:
        return (url, grouped[url]) if url in grouped else (None, [])
    for candidate, points in grouped.items():
        if samples.exports(points, name):
            return candidate, points
    return None, []


def series(result: RunResult, name: str, *, url: str | None = None) -> Line:
    """A gauge (summed over its label sets) at each scrape of one URL, or of the first URL that has it."""
    _, points = scrapes(result, name, url=url)
    return samples.gauge(points, name) if points else EMPTY


def load_end_s(result: RunResult) -> float:
    """When the last scenario's scheduled load ended (seconds from the run start)."""
    return max((s.start_time_s + s.duration_s for s in result.scenarios.values()), default=0.0)
