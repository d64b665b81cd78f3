"""The server's own histogram over the load phase, from real Prometheus text: totals from the
scrapes before and after the load, windows from the scrapes in between, our scrapes left out."""

from __future__ import annotations

import math

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from harness.results.model import PrometheusSample
from harness.samplers.prometheus import parse_metrics_text
from harness.samplers.server_latency import server_latency

BOUNDS = (0.005, 0.01, 0.05)


class Server:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.histogram = Histogram("http_request_duration_seconds", "d", ("route", "method", "status"), buckets=BOUNDS,
                                   registry=self.registry)

    def serve(self, route: str, seconds: float, times: int = 1, status: str = "200", method: str = "GET") -> None:
        for _ in range(times):
            self.histogram.labels(route, method, status).observe(seconds)

    def scrape(self, t_s: float) -> PrometheusSample:
        values = parse_metrics_text(generate_latest(self.registry).decode())
        return PrometheusSample(t_s=t_s, url="http://127.0.0.1:4000/metrics", values=values)


def test_the_load_phase_per_route_with_statuses_added_and_scrapes_left_out() -> None:
    server = Server()
    server.serve("/api/v1/problems", 0.001, times=50)  # before the load: not counted
    before = server.scrape(0.0)
    server.serve("/api/v1/problems", 0.003, times=10)
    server.serve("/api/v1/problems", 0.02, times=5, status="503")
    server.serve("/metrics", 0.001, times=3)
    middle = server.scrape(2.0)
    server.serve("/api/v1/problems", 0.2, times=2)
    after = server.scrape(4.0)
    server.serve("/api/v1/problems", 0.2, times=100)  # a drain after the load: not counted
    latency = server_latency(before, after, during=[middle])
    assert latency is not None and [r.route for r in latency.routes] == ["/api/v1/problems"]
    route = latency.routes[0]
    assert route.count == 17 and route.buckets == [(0.005, 10), (0.01, 10), (0.05, 15)]
    assert route.cumulative()[-1] == (math.inf, 17.0)
    assert latency.window_t_s == [0.0, 2.0]
    assert route.windows == [[10, 0, 5, 0], [0, 0, 0, 2]]  # per bucket, +Inf last
    assert route.sum_s == 0.03 + 0.1 + 0.4


def test_a_target_without_the_histogram_gives_none() -> None:
    empty = PrometheusSample(t_s=0.0, url="u", values={"process_cpu_seconds_total": 1.0})
    assert server_latency(empty, empty) is None
