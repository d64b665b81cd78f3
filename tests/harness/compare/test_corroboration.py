"""The server's view beside each client-side change: present when the server saw it, "client side
only" when it did not (a delay in front of the server), absent when the target exports nothing."""

from __future__ import annotations

from harness.compare import CompareSettings, Verdict, compare_runs, from_result
from harness.compare.corroboration import view_text
from harness.compare.server_inputs import match_route
from harness.results.model import ServerRouteLatency
from tests.harness.compare.timed_runs import TimedPlan, timed_result

BROWSE = "browse_problems/GET /api/v1/problems"


def compare(current: TimedPlan, *, server: bool = True) -> dict:
    baseline_result = timed_result(TimedPlan(), seed=21)
    current_result = timed_result(current, seed=22)
    if not server:
        baseline_result = baseline_result.model_copy(update={"server_latency": None})
        current_result = current_result.model_copy(update={"server_latency": None})
    comparison = compare_runs([from_result(baseline_result, source="a")], from_result(current_result, source="b"),
                              settings=CompareSettings())
    return {m.key: m for m in comparison.metrics}


def test_a_slowdown_the_server_also_timed_is_corroborated() -> None:
    found = compare(TimedPlan(slower_ms=10.0, server_slower_ms=10.0))
    metric = found[f"{BROWSE}/latency_p50_ms"]
    assert metric.verdict is Verdict.REGRESSED
    assert metric.server is not None and metric.server.startswith("server +") and metric.server.endswith("at p50: the server saw it")
    assert found["server/GET /api/v1/problems/latency_p50_ms"].verdict is Verdict.REGRESSED


def test_a_delay_in_front_of_the_server_is_client_side_only() -> None:
    metric = compare(TimedPlan(slower_ms=10.0))[f"{BROWSE}/latency_p50_ms"]
    assert metric.verdict is Verdict.REGRESSED
    assert metric.server is not None and metric.server.startswith("server unchanged (") and "client side only" in metric.server


def test_without_the_servers_histogram_nothing_is_claimed() -> None:
    found = compare(TimedPlan(slower_ms=10.0), server=False)
    assert found[f"{BROWSE}/latency_p50_ms"].server is None
    assert not any(key.startswith("server/") for key in found)


def test_unchanged_metrics_get_no_server_view() -> None:
    found = compare(TimedPlan())
    assert all(m.server is None for m in found.values() if m.verdict is Verdict.UNCHANGED)


def test_the_sentence_follows_how_much_of_the_change_the_server_saw() -> None:
    assert view_text(client_delta_ms=10.0, server_delta_ms=11.0, label="p50") == "server +11.0 ms at p50: the server saw it"
    assert view_text(client_delta_ms=10.0, server_delta_ms=3.0, label="p95") == "server +3.0 ms at p95: most of it is outside the server"
    assert view_text(client_delta_ms=10.0, server_delta_ms=0.4, label="p99") == "server unchanged (+0.4 ms at p99): client side only"
    assert view_text(client_delta_ms=10.0, server_delta_ms=-2.0, label="p50").startswith("server unchanged")


def route(path: str, method: str = "GET") -> ServerRouteLatency:
    return ServerRouteLatency(route=path, method=method, count=1, sum_s=0.0, buckets=[])


def test_client_names_match_route_templates() -> None:
    routes = [route("/api/v1/problems"), route("/api/v1/problems/{id}"), route("/api/v1/problems/stats"),
              route("/api/v1/problems", "POST")]
    assert match_route("GET", "/api/v1/problems/:id (verdict poll)", routes) == routes[1]
    assert match_route("GET", "/api/v1/problems/123", routes) == routes[1]
    assert match_route("GET", "/api/v1/problems/stats", routes) == routes[2]  # the literal wins
    assert match_route("POST", "/api/v1/problems?x=1", routes) == routes[3]
    assert match_route("GET", "https://staging.example.org/api/v1/problems", routes) == routes[0]
    assert match_route("DELETE", "/api/v1/problems", routes) is None
    assert match_route("GET", "/api/v2/other", routes) is None
