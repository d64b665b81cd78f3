"""The target's own view of the load: its request-duration histogram per route over the load
phase, as the difference of a scrape of its /metrics taken just before the load and one taken
just after it (so neither start-up traffic nor a drain afterwards is in it).

The platform exports `http_request_duration_seconds{route,method,status}` (route templates, so
the label set is bounded); any target that exports a histogram of that name is read alike.
Statuses are added together: the client-side figure it is set beside counts every response.
"""

from __future__ import annotations

import math
from collections import defaultdict

from harness.results.model import PrometheusSample, ServerLatency, ServerRouteLatency
from harness.results.samples import counter_delta, parse_series

REQUEST_DURATION = "http_request_duration_seconds"
SCRAPE_ROUTES = frozenset({"/metrics"})  # our own sampler's requests, not the load's


def server_latency(before: PrometheusSample, after: PrometheusSample, *, metric: str = REQUEST_DURATION) -> ServerLatency | None:
    """Per (route, method): cumulative buckets, count and sum grown between the two scrapes.
    None when the target exports no such histogram."""
    buckets: dict[tuple[str, str], dict[float, float]] = defaultdict(lambda: defaultdict(float))
    sums: dict[tuple[str, str], float] = defaultdict(float)
    found = False
    for key, value in after.values.items():
        if not key.startswith(metric):
            continue
        name, labels = parse_series(key)
        route, method = labels.get("route", labels.get("handler", "")), labels.get("method", "")
        if route in SCRAPE_ROUTES:
            continue
        grown = counter_delta(before.values.get(key, 0.0), value)
        if name == f"{metric}_bucket" and "le" in labels:
            found = True
            buckets[(route, method)][float(labels["le"])] += grown
        elif name == f"{metric}_sum":
            sums[(route, method)] += grown
    if not found:
        return None
    routes = [
        ServerRouteLatency(
            route=route, method=method, count=int(round(by_bound[math.inf])),
            sum_s=round(sums.get((route, method), 0.0), 6),
            buckets=[(bound, int(round(count))) for bound, count in sorted(by_bound.items()) if not math.isinf(bound)],
        )
        for (route, method), by_bound in sorted(buckets.items())
        if by_bound.get(math.inf, 0.0) > 0
    ]
    return ServerLatency(url=after.url, metric=metric, start_t_s=before.t_s, end_t_s=after.t_s, routes=routes)
