"""The target's own view of the load: its request-duration histogram per route over the load
phase, as the difference of a scrape of its /metrics taken just before the load and one taken
just after it (so neither start-up traffic nor a drain afterwards is in it), and the same cut into
the windows between the scrapes taken during the load (for noise estimates that respect time).

The platform exports `http_request_duration_seconds{route,method,status}` (route templates, so
the label set is bounded); any target that exports a histogram of that name is read alike.
Statuses are added together: the client-side figure it is set beside counts every response.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from harness.results.model import PrometheusSample, ServerLatency, ServerRouteLatency
from harness.results.samples import counter_delta, parse_series

REQUEST_DURATION = "http_request_duration_seconds"
SCRAPE_ROUTES = frozenset({"/metrics"})  # our own sampler's requests, not the load's
MAX_WINDOWS = 600  # longer runs merge neighbouring windows

RouteKey = tuple[str, str]  # (route, method)


def server_latency(before: PrometheusSample, after: PrometheusSample, *, during: Sequence[PrometheusSample] = (),
                   metric: str = REQUEST_DURATION) -> ServerLatency | None:
    """Per (route, method): cumulative buckets and sum grown between `before` and `after`, and the
    observations per bucket in each window between consecutive scrapes (`during` are the scrapes
    taken in between, any order). None when the target exports no such histogram."""
    total = _grown(before, after, metric)
    if total is None:
        return None
    buckets, sums = total
    scrapes = [before, *sorted((s for s in during if before.t_s < s.t_s < after.t_s), key=lambda s: s.t_s), after]
    windows = [_grown(a, b, metric) for a, b in pairwise(scrapes)]
    starts = [a.t_s for a in scrapes[:-1]]
    routes = []
    for key, by_bound in sorted(buckets.items()):
        if by_bound.get(math.inf, 0.0) <= 0:
            continue
        bounds = sorted(by_bound)
        per_window = [_counts(window[0].get(key, {}) if window else {}, bounds) for window in windows]
        routes.append(ServerRouteLatency(
            route=key[0], method=key[1], count=int(round(by_bound[math.inf])), sum_s=round(sums.get(key, 0.0), 6),
            buckets=[(bound, int(round(by_bound[bound]))) for bound in bounds if not math.isinf(bound)],
            windows=per_window,
        ))
    window_t_s, routes = _bounded(starts, routes)
    return ServerLatency(url=after.url, metric=metric, start_t_s=before.t_s, end_t_s=after.t_s, routes=routes,
                         window_t_s=window_t_s)


def _grown(before: PrometheusSample, after: PrometheusSample, metric: str
           ) -> tuple[dict[RouteKey, dict[float, float]], dict[RouteKey, float]] | None:
    """Cumulative buckets and sums grown between two scrapes, per route; None without the histogram."""
    buckets: dict[RouteKey, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    sums: dict[RouteKey, float] = defaultdict(float)
    found = False
    for key, value in after.values.items():
        if not key.startswith(metric):
            continue
        name, labels = parse_series(key)
        route = (labels.get("route", labels.get("handler", "")), labels.get("method", ""))
        if route[0] in SCRAPE_ROUTES:
            continue
        grown = counter_delta(before.values.get(key, 0.0), value)
        if name == f"{metric}_bucket" and "le" in labels:
            found = True
            buckets[route][float(labels["le"])] += grown
        elif name == f"{metric}_sum":
            sums[route] += grown
    return (buckets, sums) if found else None


def _counts(cumulative: dict[float, float], bounds: list[float]) -> list[int]:
    """Observations per bucket (not cumulative) on the route's bounds."""
    running, counts = 0.0, []
    for bound in bounds:
        value = cumulative.get(bound, running)
        counts.append(max(0, int(round(value - running))))
        running = max(running, value)
    return counts


def _bounded(starts: list[float], routes: list[ServerRouteLatency]) -> tuple[list[float], list[ServerRouteLatency]]:
    """At most MAX_WINDOWS windows: neighbouring pairs merged until it fits."""
    while len(starts) > MAX_WINDOWS:
        starts = starts[::2]
        routes = [route.model_copy(update={"windows": [
            [a + b for a, b in zip(*route.windows[i:i + 2], strict=False)] if i + 1 < len(route.windows) else route.windows[i]
            for i in range(0, len(route.windows), 2)]}) for route in routes]
    return starts, routes
