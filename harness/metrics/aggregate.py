"""The consumer side: adds windows from one or many producers into run totals and a time series.

Totals are exact merges (histograms by `add()`); a time-series window is final once every
producer has closed it, and is then reduced to one point per scenario (percentiles from that
window's merged histogram, never averaged) and its histograms dropped.

It is also the `MetricSource` the thresholds read during and after the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from harness.metrics import names
from harness.metrics.accumulators import CounterAccumulator, RateAccumulator, TrendAccumulator
from harness.metrics.blocks import LatencyBlocks
from harness.metrics.failures import HTTP_FAILURE_CLASSES, FailureClass
from harness.metrics.names import MetricKind
from harness.metrics.window import RequestKey, RequestWindow, ScenarioWindow, Window


@dataclass(frozen=True)
class SeriesPoint:
    """One scenario in one window."""

    index: int
    t_s: float
    scenario: str
    requests: int
    failures: dict[str, int]
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    iterations: int
    iterations_per_s: float
    dropped: int
    active_vus: int
    allocated_vus: int


# The iteration trends and the ScenarioWindow field that holds each.
ITERATION_TRENDS = {names.ITERATION_DURATION: "iteration_duration", names.ITERATION_LAG: "lag",
                    names.ITERATION_DURATION_SCHEDULED: "scheduled"}

# The run-wide series of every request, in `Aggregator.blocks` (scenario and method None).
ALL_REQUESTS_SERIES = (None, None, names.HTTP_REQ_DURATION)


@dataclass
class _Pending:
    requests: dict[str, RequestWindow] = field(default_factory=dict)
    scenarios: dict[str, ScenarioWindow] = field(default_factory=dict)
    by_request: dict[RequestKey, TrendAccumulator] = field(default_factory=dict)


class Aggregator:
    def __init__(self, *, window_s: float, producers: int) -> None:
        self.window_s = window_s
        self.producers = producers
        self.requests: dict[RequestKey, RequestWindow] = {}
        self.scenarios: dict[str, ScenarioWindow] = {}
        self.series: list[SeriesPoint] = []
        self.vus_max: dict[str, int] = {}
        self.blocks = LatencyBlocks(window_s=window_s)
        self.elapsed_s = 0.0
        self._pending: dict[int, _Pending] = {}
        self._closed_through: dict[str, int] = {}
        self._finalized_through = -1

    # -- adding -------------------------------------------------------------------------------
    def add(self, windows: list[Window], *, producer: str, closed_through: int) -> list[SeriesPoint]:
        """Add a producer's closed windows; returns the series points that became final."""
        for window in windows:
            self._add_totals(window)
            self._add_pending(window)
        previous = self._closed_through.get(producer, -1)
        self._closed_through[producer] = max(previous, closed_through)
        if len(self._closed_through) < self.producers:
            return []
        return self.finalize(through=min(self._closed_through.values()))

    def _add_totals(self, window: Window) -> None:
        for key, request in window.requests.items():
            self.requests.setdefault(key, RequestWindow()).merge(request)
        for name, scenario in window.scenarios.items():
            total = self.scenarios.setdefault(name, ScenarioWindow())
            total.merge(scenario)
            total.active_vus = scenario.active_vus  # gauges are not sums over time
            total.allocated_vus = scenario.allocated_vus

    def _add_pending(self, window: Window) -> None:
        pending = self._pending.setdefault(window.index, _Pending())
        for key, request in window.requests.items():
            pending.requests.setdefault(key[0], RequestWindow()).merge(request)
            pending.by_request.setdefault(key, TrendAccumulator()).merge(request.duration)
        for name, scenario in window.scenarios.items():
            pending.scenarios.setdefault(name, ScenarioWindow()).merge(scenario)

    def finalize(self, *, through: int) -> list[SeriesPoint]:
        points: list[SeriesPoint] = []
        for index in sorted(i for i in self._pending if i <= through):
            pending = self._pending.pop(index)
            points.extend(self._points(index, pending))
            self._add_blocks(index, pending)
        self._finalized_through = max(self._finalized_through, through)
        self.series.extend(points)
        for point in points:
            self.vus_max[point.scenario] = max(self.vus_max.get(point.scenario, 0), point.allocated_vus)
        return points

    def finalize_all(self) -> list[SeriesPoint]:
        return self.finalize(through=max(self._pending, default=self._finalized_through))

    def _add_blocks(self, index: int, pending: _Pending) -> None:
        """The window's histograms of each request, of all requests, and of each custom trend."""
        every = TrendAccumulator()
        for key, duration in pending.by_request.items():
            self.blocks.add(key, index, duration)
            every.merge(duration)
        self.blocks.add(ALL_REQUESTS_SERIES, index, every)
        trends: dict[str, TrendAccumulator] = {}
        for window in pending.scenarios.values():
            for name, (kind, acc) in window.custom.items():
                if kind is MetricKind.TREND:
                    trends.setdefault(name, TrendAccumulator()).merge(acc)  # type: ignore[arg-type]
        scheduled = TrendAccumulator()
        for window in pending.scenarios.values():
            scheduled.merge(window.scheduled)
        if scheduled.count:
            trends[names.ITERATION_DURATION_SCHEDULED] = scheduled
        for name, trend in trends.items():
            self.blocks.add((None, None, name), index, trend)

    def _points(self, index: int, pending: _Pending) -> list[SeriesPoint]:
        points = []
        for scenario in sorted(set(pending.requests) | set(pending.scenarios)):
            request = pending.requests.get(scenario, RequestWindow())
            window = pending.scenarios.get(scenario, ScenarioWindow())
            has = request.duration.count > 0
            pct = request.duration.summary() if has else {}
            points.append(
                SeriesPoint(
                    index=index,
                    t_s=index * self.window_s,
                    scenario=scenario,
                    requests=request.duration.count,
                    failures=_with_failed_checks(request.failures, window),
                    p50_ms=pct.get("med"),
                    p95_ms=pct.get("p(95)"),
                    p99_ms=pct.get("p(99)"),
                    iterations=window.iterations_started,
                    iterations_per_s=window.iterations_started / self.window_s,
                    dropped=window.dropped,
                    active_vus=window.active_vus,
                    allocated_vus=window.allocated_vus,
                )
            )
        return points

    # -- reading (MetricSource) ---------------------------------------------------------------
    def scenario_failures(self, scenario: str) -> dict[str, int]:
        """Failures by class of a scenario's requests, with its failed `vu.check`s as "check"."""
        return _with_failed_checks(self.request_failures((("scenario", scenario),)), self.scenarios.get(scenario))

    def _matching_requests(self, tags: tuple[tuple[str, str], ...]) -> list[RequestWindow]:
        wanted = dict(tags)
        found = []
        for (scenario, method, name), request in self.requests.items():
            if wanted.get("scenario", scenario) != scenario or wanted.get("method", method) != method:
                continue
            if wanted.get("name", name) != name:
                continue
            found.append(request)
        return found

    def _matching_scenarios(self, tags: tuple[tuple[str, str], ...]) -> list[ScenarioWindow]:
        wanted = dict(tags).get("scenario")
        return [w for name, w in self.scenarios.items() if wanted is None or wanted == name]

    def request_duration(self, tags: tuple[tuple[str, str], ...] = ()) -> TrendAccumulator:
        merged = TrendAccumulator()
        for request in self._matching_requests(tags):
            merged.merge(request.duration)
        return merged

    def request_failures(self, tags: tuple[tuple[str, str], ...] = ()) -> Counter[str]:
        failures: Counter[str] = Counter()
        for request in self._matching_requests(tags):
            failures.update(request.failures)
        return failures

    def metric(self, metric: str, tags: tuple[tuple[str, str], ...] = ()) -> tuple[MetricKind, object] | None:
        """The merged accumulator of a metric for these tags, with its kind."""
        if metric == names.HTTP_REQ_DURATION:
            return MetricKind.TREND, self.request_duration(tags)
        if metric == names.HTTP_REQS:
            return MetricKind.COUNTER, CounterAccumulator(float(self.request_duration(tags).count))
        if metric == names.HTTP_REQ_FAILED:
            total = self.request_duration(tags).count
            failures = self.request_failures(tags)
            failed = sum(n for cls, n in failures.items() if FailureClass(cls) in HTTP_FAILURE_CLASSES)
            return MetricKind.RATE, RateAccumulator(failed, total)
        scenarios = self._matching_scenarios(tags)
        if metric in (names.ITERATIONS, names.DROPPED_ITERATIONS):
            attr = "iterations_completed" if metric == names.ITERATIONS else "dropped"
            return MetricKind.COUNTER, CounterAccumulator(float(sum(getattr(w, attr) for w in scenarios)))
        if metric in ITERATION_TRENDS:
            merged = TrendAccumulator()
            for window in scenarios:
                merged.merge(getattr(window, ITERATION_TRENDS[metric]))
            return MetricKind.TREND, merged
        if metric == names.CHECKS:
            rate = RateAccumulator()
            for window in scenarios:
                for check in window.checks.values():
                    rate.merge(check)
            return MetricKind.RATE, rate
        if metric in (names.VUS, names.VUS_MAX):
            wanted = dict(tags).get("scenario")
            source = self.vus_max if metric == names.VUS_MAX else self._latest_active_vus()
            return MetricKind.GAUGE, float(sum(v for s, v in source.items() if wanted in (None, s)))
        return self._custom(metric, scenarios)

    def _latest_active_vus(self) -> dict[str, int]:
        """Busy VUs per scenario in the last final window (summed over producers)."""
        latest: dict[str, int] = {}
        for point in self.series:
            latest[point.scenario] = point.active_vus
        return latest

    def _custom(self, metric: str, scenarios: list[ScenarioWindow]) -> tuple[MetricKind, object] | None:
        merged = None
        kind = None
        for window in scenarios:
            entry = window.custom.get(metric)
            if entry is None:
                continue
            kind, acc = entry
            if merged is None:
                merged = type(acc)()
            merged.merge(acc)  # type: ignore[arg-type]
        return None if kind is None else (kind, merged)

    def custom_metric_kinds(self) -> dict[str, MetricKind]:
        kinds = {}
        for window in self.scenarios.values():
            for name, (kind, _acc) in window.custom.items():
                kinds[name] = kind
        return kinds

    def observe(self, metric: str, tags: tuple[tuple[str, str], ...], aggregation: str) -> float | None:
        found = self.metric(metric, tags)
        if found is None:
            return None
        kind, acc = found
        if kind is MetricKind.TREND:
            return acc.value(aggregation)  # type: ignore[union-attr]
        if kind is MetricKind.RATE:
            return acc.rate  # type: ignore[union-attr]
        if kind is MetricKind.COUNTER:
            if aggregation == "rate":
                return acc.total / self.elapsed_s if self.elapsed_s > 0 else None  # type: ignore[union-attr]
            return acc.total  # type: ignore[union-attr]
        return float(acc)  # type: ignore[arg-type]


def _with_failed_checks(failures: Counter[str], window: ScenarioWindow | None) -> dict[str, int]:
    merged = Counter(failures)
    if window is not None:
        failed = sum(rate.total - rate.passes for rate in window.checks.values())
        if failed:
            merged[FailureClass.CHECK.value] += failed
    return dict(merged)
