"""Plain series out of a run result, for the charts and tables (pure functions, no plotting).

Times are seconds from the run's start (window starts for the engine's time series, sample times
for /metrics and Redis samples). Latencies are milliseconds. Prometheus samples are read by
`harness.results.samples` (the one reader of series keys, counters and histograms).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.metrics.hdr import decode, percentiles_ms
from harness.results.model import PrometheusSample, RunResult, TrendValues
from harness.results.samples import by_url, exports

# Failure classes in the order the report shows them (the engine's classes, then any other).
FAILURE_CLASSES = ("4xx", "429", "5xx", "connection", "check")
WINDOW_EPSILON_S = 0.01  # a window starting this close to a scenario's end holds none of it
CURVE_PERCENTILES = (0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.9, 100.0)


@dataclass(frozen=True)
class ScenarioSeries:
    scenario: str
    t_s: list[float] = field(default_factory=list)
    p50_ms: list[float | None] = field(default_factory=list)
    p95_ms: list[float | None] = field(default_factory=list)
    p99_ms: list[float | None] = field(default_factory=list)
    requests_per_s: list[float] = field(default_factory=list)
    iterations_per_s: list[float] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    active_vus: list[int] = field(default_factory=list)
    allocated_vus: list[int] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)


def _scenario_end_s(result: RunResult, name: str) -> float | None:
    stats = result.scenarios.get(name)
    return None if stats is None else stats.start_time_s + stats.duration_s


def scenario_series(result: RunResult) -> dict[str, ScenarioSeries]:
    """Each scenario's windows in time order (scenarios in the result's order), placed at the
    window's middle, and only windows that start before the scenario's end (after it, only
    iterations finishing in the graceful stop remain, which would read as a collapse)."""
    window_s = result.meta.window_s or 1.0
    points = defaultdict(list)
    for point in result.time_series:
        points[point.scenario].append(point)
    out: dict[str, ScenarioSeries] = {}
    names = list(result.scenarios) + [n for n in points if n not in result.scenarios]
    for name in names:
        end_s = _scenario_end_s(result, name)
        rows = sorted((p for p in points.get(name, []) if end_s is None or p.t_s < end_s - WINDOW_EPSILON_S),
                      key=lambda p: p.t_s)
        classes = failure_classes(c for p in rows for c in p.failures)
        out[name] = ScenarioSeries(
            scenario=name,
            t_s=[p.t_s + window_s / 2 for p in rows],
            p50_ms=[p.p50_ms for p in rows],
            p95_ms=[p.p95_ms for p in rows],
            p99_ms=[p.p99_ms for p in rows],
            requests_per_s=[p.requests / window_s for p in rows],
            iterations_per_s=[p.iterations_per_s for p in rows],
            dropped=[p.dropped for p in rows],
            active_vus=[p.active_vus for p in rows],
            allocated_vus=[p.allocated_vus for p in rows],
            failures={c: [p.failures.get(c, 0) for p in rows] for c in classes},
        )
    return out


def failure_classes(found: Iterable[str]) -> list[str]:
    """The known classes first, in their order, then any other class, sorted."""
    seen = set(found)
    return [c for c in FAILURE_CLASSES if c in seen] + sorted(seen - set(FAILURE_CLASSES))


def failures_over_time(result: RunResult) -> tuple[list[float], dict[str, list[int]]]:
    """Failed requests per window (at its middle) and class, summed over scenarios."""
    half_window_s = (result.meta.window_s or 1.0) / 2
    by_time: dict[float, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for point in result.time_series:
        bucket = by_time[point.t_s + half_window_s]
        for name, count in point.failures.items():
            bucket[name] += count
    times = sorted(by_time)
    classes = failure_classes(c for b in by_time.values() for c in b)
    return times, {c: [by_time[t].get(c, 0) for t in times] for c in classes}


def scrapes_of(result: RunResult, name: str) -> list[PrometheusSample]:
    """The scrapes of the first sampled URL that exports `name` (the target's own /metrics comes
    first), so two processes that export the same name (the queue length) are never interleaved.
    Read them with `harness.results.samples` (`gauge`, `counter_rate`, `increase`, ...)."""
    for points in by_url(result.samples).values():
        if exports(points, name):
            return points
    return []


def percentile_curve(trend: TrendValues) -> tuple[list[float], list[float]]:
    """(percentiles, milliseconds) read from a trend's HdrHistogram, clamped to its exact extremes
    (so p95 here is the trend's stored p95, and p100 its max)."""
    values = percentiles_ms(decode(trend.hdr), CURVE_PERCENTILES, lowest_ms=trend.min, highest_ms=trend.max)
    return list(CURVE_PERCENTILES), [values[p] for p in CURVE_PERCENTILES]


def redis_memory(result: RunResult) -> dict[str, list[tuple[float, float]]]:
    """used_memory, used_memory_rss and maxmemory (bytes) over time; a missing field is skipped."""
    out: dict[str, list[tuple[float, float]]] = {"used_memory": [], "used_memory_rss": [], "maxmemory": []}
    for sample in result.samples.redis:
        for key, points in out.items():
            value = getattr(sample, key)
            if value is not None:
                points.append((sample.t_s, float(value)))
    return out
