"""Prometheus metrics of the API, in a registry of its own (never the process-global one).

The names are a contract: Prometheus alert rules and the harness's samplers read them.

    http_request_duration_seconds{route,method,status}   histogram
    http_requests_total{route,method,status}             counter
    http_requests_in_flight                              gauge
    db_pool_size, db_pool_available, db_pool_waiting     gauges   (psycopg_pool get_stats())
    db_pool_timeouts_total                               counter  (pool requests that errored)
    guardrail_queue_length                               gauge    (XLEN, sampled at scrape time)
    guardrail_enqueue_errors_total                       counter
    rate_limit_rejections_total{class}                   counter
    rate_limit_backend_errors_total                      counter

`route` is the route template (`/api/v1/problems/{id}`), never the raw path, so label
cardinality is bounded by the route table; unmatched paths share the label `unmatched`.
"""

from __future__ import annotations

from typing import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Fine buckets below 25 ms: the targets are p95 < 10-20 ms (DESIGN.md §6); 0.15/0.2/0.5 s are
# the seed's budgets, so threshold crossings are visible in the histogram itself.
LATENCY_BUCKETS_S = (
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.05, 0.075,
    0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0,
)
UNMATCHED_ROUTE = "unmatched"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

PoolStats = Callable[[], Mapping[str, int]]


class _PoolCollector(Collector):
    """Reads psycopg_pool's statistics at scrape time, so the figures are never stale."""

    def __init__(self) -> None:
        self.stats: PoolStats = lambda: {}

    def collect(self) -> Iterator[Metric]:
        stats = self.stats()
        for name, key, text in (
            ("db_pool_size", "pool_size", "connections in the pool, busy or idle"),
            ("db_pool_available", "pool_available", "idle connections ready for use"),
            ("db_pool_waiting", "requests_waiting", "requests queued for a connection"),
        ):
            yield GaugeMetricFamily(name, text, value=stats.get(key, 0))
        yield CounterMetricFamily(
            "db_pool_timeouts_total",
            "connection requests that failed (timed out or refused by the pool)",
            value=stats.get("requests_errors", 0),
        )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes etc., for memory goals
        labels = ("route", "method", "status")
        self.request_duration = Histogram(
            "http_request_duration_seconds", "request latency, from first byte read to response",
            labels, buckets=LATENCY_BUCKETS_S, registry=self.registry,
        )
        self.requests = Counter(
            "http_requests", "requests answered", labels, registry=self.registry
        )
        self.in_flight = Gauge(
            "http_requests_in_flight", "requests being handled now", registry=self.registry
        )
        self.queue_length = Gauge(
            "guardrail_queue_length", "entries in the guardrail job stream (XLEN)", registry=self.registry
        )
        self.enqueue_errors = Counter(
            "guardrail_enqueue_errors", "guardrail jobs that could not be enqueued", registry=self.registry
        )
        self.rate_limit_rejections = Counter(
            "rate_limit_rejections", "requests refused with 429", ("class",), registry=self.registry
        )
        self.rate_limit_backend_errors = Counter(
            "rate_limit_backend_errors", "rate-limit checks that failed open because Redis failed",
            registry=self.registry,
        )
        self._pool = _PoolCollector()
        self.registry.register(self._pool)

    def bind_pool_stats(self, stats: PoolStats) -> None:
        self._pool.stats = stats

    def observe_request(self, *, route: str, method: str, status: int, duration_s: float) -> None:
        labels = (route, method, str(status))
        self.request_duration.labels(*labels).observe(duration_s)
        self.requests.labels(*labels).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
