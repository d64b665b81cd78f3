"""Did the server see it? A client-side latency change set beside the target's own.

The client times a request from send to last byte: network, proxies, the generator's own
scheduling and the server. The server's histogram times only its handler. For each client-side
latency that changed, the same percentile of the route it hit (`server_inputs.match_route`):

    server +11.0 ms at p50: the server saw it               >= half of the client's change
    server +2.1 ms at p50: most of it is outside the server  some, less than half
    server unchanged (+0.3 ms at p50): client side only      within 1 ms, or a quarter of it

Pure: reads the comparisons already made, returns a sentence per client-side key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from harness.compare.rules import Verdict

if TYPE_CHECKING:
    from harness.compare.engine import MetricComparison

LATENCY_SUFFIXES = {"latency_p50_ms": "p50", "latency_p95_ms": "p95", "latency_p99_ms": "p99"}
UNCHANGED_MS = 1.0
NOTED = (Verdict.REGRESSED, Verdict.INCONCLUSIVE, Verdict.WITHIN_NOISE, Verdict.IMPROVED)


def server_views(metrics: Sequence[MetricComparison], server_routes: Mapping[str, str]) -> dict[str, str]:
    """client key -> how the server's same percentile moved (only for changes worth a word)."""
    by_key = {m.key: m for m in metrics}
    views = {}
    for metric in metrics:
        prefix, _, suffix = metric.key.rpartition("/")
        if suffix not in LATENCY_SUFFIXES or metric.verdict not in NOTED or prefix not in server_routes:
            continue
        server = by_key.get(f"{server_routes[prefix]}/{suffix}")
        if server is not None:
            views[metric.key] = view_text(client_delta_ms=metric.delta, server_delta_ms=server.delta, label=LATENCY_SUFFIXES[suffix])
    return views


def view_text(*, client_delta_ms: float, server_delta_ms: float, label: str) -> str:
    same_way = client_delta_ms * server_delta_ms > 0
    if same_way and abs(server_delta_ms) >= 0.5 * abs(client_delta_ms):
        return f"server {server_delta_ms:+.1f} ms at {label}: the server saw it"
    if abs(server_delta_ms) <= max(UNCHANGED_MS, 0.25 * abs(client_delta_ms)) or not same_way:
        return f"server unchanged ({server_delta_ms:+.1f} ms at {label}): client side only"
    return f"server {server_delta_ms:+.1f} ms at {label}: most of it is outside the server"
