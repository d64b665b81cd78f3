"""A prometheus-client Collector over the run's merged state, read only when scraped.

The engine already merges every producer's closed windows into one `Aggregator` (a local run's,
or the master's of a distributed run); this collector turns its totals into metric families at
scrape time, so recording a request costs nothing more. Totals grow only as windows close (every
`window_s`, 1 s by default), so a scrape sees the run up to the last closed window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psutil
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from harness.health.host import read_pressure
from harness.live import names
from harness.live.buckets import US_PER_S, cumulative_buckets
from harness.metrics import names as k6
from harness.metrics.accumulators import TrendAccumulator
from harness.metrics.aggregate import Aggregator

MS_PER_S = 1000.0
REQUEST_LABELS = ["scenario", "name", "method"]


@dataclass
class GeneratorProcesses:
    """The load generator's processes on this host, (role, pid): the engine process and any local workers."""

    entries: list[tuple[str, int]] = field(default_factory=list)
    _handles: dict[int, psutil.Process] = field(default_factory=dict)

    def add(self, role: str, pid: int) -> None:
        self.entries.append((role, pid))

    def cpu_seconds(self) -> Iterator[tuple[str, int, float]]:
        """(role, pid, user + system CPU seconds) of each process still running."""
        for role, pid in self.entries:
            try:
                handle = self._handles.get(pid) or self._handles.setdefault(pid, psutil.Process(pid))
                times = handle.cpu_times()
            except psutil.Error:
                continue
            yield role, pid, times.user + times.system


class LiveCollector:
    """Yields the families of `harness.live.names` from an Aggregator, when scraped."""

    def __init__(self, aggregator: Aggregator, *, processes: GeneratorProcesses, run_labels: dict[str, str],
                 pressure: Callable[[str], object] = read_pressure) -> None:
        self.aggregator = aggregator
        self.processes = processes
        self.run_labels = run_labels
        self.scrapes = 0  # completed collections; the server waits on it for the final scrape
        self._pressure = pressure

    def describe(self) -> list[Metric]:
        return []  # registering must not count as a scrape

    def collect(self) -> Iterator[Metric]:
        yield from self._requests()
        yield from self._iterations()
        yield from self._generator()
        self.scrapes += 1

    def _requests(self) -> Iterator[Metric]:
        durations = HistogramMetricFamily(names.HTTP_REQUEST_DURATION, "HTTP request duration (k6's http_req_duration)",
                                          labels=REQUEST_LABELS)
        counts = CounterMetricFamily(names.HTTP_REQUESTS, "HTTP requests by outcome: ok or the failure class "
                                     "(4xx, 429, 5xx, connection, check)", labels=[*REQUEST_LABELS, "outcome"])
        for (scenario, method, name), request in sorted(self.aggregator.requests.items()):
            labels = [scenario, name, method]
            _add_histogram(durations, labels, request.duration)
            failed = sum(request.failures.values())
            counts.add_metric([*labels, names.OUTCOME_OK], float(request.duration.count - failed))
            for outcome, count in sorted(request.failures.items()):
                counts.add_metric([*labels, outcome], float(count))
        yield durations
        yield counts

    def _iterations(self) -> Iterator[Metric]:
        iterations = CounterMetricFamily(names.ITERATIONS, "Completed iterations (k6's iterations)", labels=["scenario"])
        dropped = CounterMetricFamily(names.DROPPED_ITERATIONS, "Iterations not started: no VU was free",
                                      labels=["scenario"])
        trends = {
            "iteration_duration": HistogramMetricFamily(
                names.ITERATION_DURATION, "Iteration duration (k6's iteration_duration)", labels=["scenario"]),
            "lag": HistogramMetricFamily(
                names.ITERATION_START_LAG, "Arrival-rate iteration start lag behind its schedule", labels=["scenario"]),
            "scheduled": HistogramMetricFamily(
                names.ITERATION_DURATION_SCHEDULED, "Arrival-rate iteration time from its scheduled start to its end "
                "(iteration_duration_scheduled)", labels=["scenario"]),
        }
        vus = GaugeMetricFamily(names.VUS, "Busy VUs in the last closed window", labels=["scenario"])
        vus_max = GaugeMetricFamily(names.VUS_MAX, "Most VUs allocated so far", labels=["scenario"])
        for scenario, window in sorted(self.aggregator.scenarios.items()):
            iterations.add_metric([scenario], float(window.iterations_completed))
            dropped.add_metric([scenario], float(window.dropped))
            for attribute, family in trends.items():
                trend = getattr(window, attribute)
                if trend.count:
                    _add_histogram(family, [scenario], trend)
            tags = (("scenario", scenario),)
            vus.add_metric([scenario], _gauge(self.aggregator, k6.VUS, tags))
            vus_max.add_metric([scenario], _gauge(self.aggregator, k6.VUS_MAX, tags))
        yield from (iterations, dropped, *trends.values(), vus, vus_max)

    def _generator(self) -> Iterator[Metric]:
        cpu = CounterMetricFamily(names.GENERATOR_CPU, "CPU time (user + system) of the load generator's processes "
                                  "on this host", labels=["role", "pid"])
        for role, pid, seconds in self.processes.cpu_seconds():
            cpu.add_metric([role, str(pid)], seconds)
        yield cpu
        pressure = CounterMetricFamily(names.HOST_CPU_PRESSURE, "Host CPU pressure (PSI): time with some / all "
                                       "runnable tasks stalled", labels=["kind"])
        reading = self._pressure("cpu")
        for kind in ("some", "full"):
            total_us = getattr(reading, f"{kind}_us", None)
            if total_us is not None:
                pressure.add_metric([kind], total_us / US_PER_S)
        yield pressure
        info = GaugeMetricFamily(names.RUN_INFO, "The run being served (value 1)", labels=sorted(self.run_labels))
        info.add_metric([self.run_labels[key] for key in sorted(self.run_labels)], 1.0)
        yield info


def _add_histogram(family: HistogramMetricFamily, labels: list[str], trend: TrendAccumulator) -> None:
    buckets = [(floatToGoString(bound), float(count))
               for bound, count in cumulative_buckets(trend.histogram, names.BUCKET_BOUNDS_S)]
    family.add_metric(labels, buckets, sum_value=trend.sum_ms / MS_PER_S)


def _gauge(aggregator: Aggregator, metric: str, tags: tuple[tuple[str, str], ...]) -> float:
    found = aggregator.metric(metric, tags)
    return float(found[1]) if found is not None else 0.0  # type: ignore[arg-type]
