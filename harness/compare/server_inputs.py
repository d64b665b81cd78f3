"""The target's own latency (its Prometheus request-duration histogram per route over the load
phase) as comparison inputs, and which server route a client-side request name is.

    server/GET /api/v1/problems/{id}/latency_p95_ms     one route
    server/(all)/latency_p95_ms                         every route the load hit

Client request names are what the scenarios called them (`/api/v1/problems/:id (verdict poll)`);
server routes are templates (`/api/v1/problems/{id}`). A name matches a route when their path
segments agree, a template's `{param}` matching any segment; a trailing ` (note)` and the query
are ignored. Where several routes match, the one with the most literal segments wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import numpy as np

from harness.compare import builders
from harness.compare.inputs import ALL, SERVER, MetricValue, TimeBlocks, request_label
from harness.compare.quantiles import RankedCounts
from harness.results.model import ServerLatency, ServerRouteLatency

MS_PER_S = 1000.0
_NOTE = re.compile(r"\s+\(.*\)$")


def server_metrics(latency: ServerLatency, *, client_requests: Sequence[tuple[str, str]], span_s: tuple[float, float]) -> dict[str, MetricValue]:
    """Percentiles of every route the load hit, and of all of them together."""
    hit = {route_key(r) for method, name in client_requests
           if (r := match_route(method, name, latency.routes)) is not None}
    routes = [r for r in latency.routes if route_key(r) in hit]
    block_s = _block_s(latency)
    metrics: dict[str, MetricValue] = {}
    for route in routes:
        metrics.update(builders.latency_from_buckets((SERVER, route_key(route)), _buckets_ms(route.cumulative()), span_s=span_s,
                                                     blocks=_time_blocks([route], block_s)))
    if routes:
        metrics.update(builders.latency_from_buckets((SERVER, ALL), _summed(routes), span_s=span_s,
                                                     blocks=_time_blocks(routes, block_s)))
    return metrics


def _block_s(latency: ServerLatency) -> float:
    starts = latency.window_t_s
    return (latency.end_t_s - latency.start_t_s) / len(starts) if starts else 0.0


def _time_blocks(routes: Sequence[ServerRouteLatency], block_s: float) -> TimeBlocks | None:
    """The routes' scrape windows (added together) as bucket distributions, for the block bootstrap."""
    windows = [route.windows for route in routes]
    if not windows or any(len(w) != len(windows[0]) or len(w) < 2 for w in windows):
        return None
    bounds_ms = np.array([bound * MS_PER_S for bound, _ in routes[0].buckets] + [np.inf])
    if any(len(counts) != len(bounds_ms) for w in windows for counts in w):
        return None
    totals = np.sum(np.array(windows, dtype=np.int64), axis=0)  # (windows, buckets)

    def decode() -> list[RankedCounts]:
        return [RankedCounts(values=bounds_ms, cumulative=np.cumsum(row)) for row in totals]

    return TimeBlocks(block_s=block_s, decode=decode, interpolate=True)


def route_key(route: ServerRouteLatency) -> str:
    return request_label(route.method, route.route)


def server_prefix(method: str, name: str, routes: Sequence[ServerRouteLatency]) -> str | None:
    """The `server/<METHOD route>` prefix of the route a client request hit, or None."""
    route = match_route(method, name, routes)
    return None if route is None else f"{SERVER}/{route_key(route)}"


def match_route(method: str, name: str, routes: Iterable[ServerRouteLatency]) -> ServerRouteLatency | None:
    wanted = _segments(name)
    best: tuple[int, ServerRouteLatency] | None = None
    for route in routes:
        if route.method.upper() != method.upper():
            continue
        template = _segments(route.route)
        if len(template) != len(wanted) or not all(_segment_matches(t, w) for t, w in zip(template, wanted, strict=True)):
            continue
        literal = sum(1 for t in template if not _is_param(t))
        if best is None or literal > best[0]:
            best = (literal, route)
    return None if best is None else best[1]


def _segments(name: str) -> list[str]:
    path = _NOTE.sub("", name.strip())
    if " " in path:  # "GET /path": the method is in front
        path = path.split(" ", 1)[1]
    path = urlsplit(path).path if path.startswith(("http://", "https://")) else path.split("?", 1)[0]
    return [segment for segment in path.split("/") if segment]


def _is_param(segment: str) -> bool:
    return (segment.startswith("{") and segment.endswith("}")) or segment.startswith(":")


def _segment_matches(template: str, wanted: str) -> bool:
    """A client's placeholder (`:id`) needs a template parameter; a literal matches itself or one."""
    if _is_param(wanted):
        return _is_param(template)
    return _is_param(template) or template == wanted


def _buckets_ms(cumulative: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    return tuple((bound * MS_PER_S, count) for bound, count in cumulative)


def _summed(routes: Sequence[ServerRouteLatency]) -> tuple[tuple[float, float], ...]:
    """The routes' histograms added (same bucket bounds, as one exporter writes them)."""
    totals: dict[float, float] = {}
    for route in routes:
        for bound, count in route.cumulative():
            totals[bound] = totals.get(bound, 0.0) + count
    return _buckets_ms(sorted(totals.items()))
