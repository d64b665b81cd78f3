"""Liveness, readiness (with each dependency down) and the Prometheus metrics."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.app.conftest import agent_headers, problem_body, register_agent
from tests.app.openapi_check import checked

DEAD_DB = "postgresql://postgres@127.0.0.1:1/nothing"
DEAD_REDIS = "redis://127.0.0.1:1/0"


async def test_health_and_ready(client) -> None:
    resp = await client.get("/health")
    assert resp.status == 200 and (await checked(resp, "/health"))["status"] == "ok"
    resp = await client.get("/ready")
    body = await checked(resp, "/ready")
    assert resp.status == 200 and body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "redis": "ok"} and body["version"] == "dev" and body["uptime"] >= 0


@pytest.mark.parametrize("overrides, failing", [
    ({"database_url": DEAD_DB, "db_pool_timeout_s": 0.5}, "database"),
    ({"redis_url": DEAD_REDIS}, "redis"),
])
async def test_ready_is_degraded_when_a_dependency_is_down(make_client, overrides, failing) -> None:
    client = await make_client(**overrides)
    resp = await client.get("/ready")
    assert resp.status == 503
    body = await checked(resp, "/ready")
    assert body["status"] == "degraded" and body["checks"][failing] in {"error", "timeout"}
    assert list(body["checks"].values()).count("ok") == 1
    assert (await client.get("/health")).status == 200  # liveness does not depend on them


async def test_concurrent_ready_checks_on_a_healthy_server_all_answer_200(client) -> None:
    """Two probers (a load balancer and a kubelet) at once must not take a healthy instance out of
    rotation: concurrent checks share the database check in flight (they used to answer 503
    "database: timeout" in ~5 ms while another check ran)."""
    for _ in range(3):
        responses = await asyncio.gather(*(client.get("/ready") for _ in range(20)))
        bodies = [await r.json() for r in responses]
        assert [r.status for r in responses] == [200] * 20, [b["checks"] for b in bodies]
        assert all(b["checks"] == {"database": "ok", "redis": "ok"} for b in bodies)


async def test_ready_turns_503_when_shutting_down(client) -> None:
    from app.state import LIFECYCLE

    client.server.app[LIFECYCLE].shutting_down = True
    resp = await client.get("/ready")
    assert resp.status == 503 and (await checked(resp, "/ready"))["status"] == "shutting_down"
    assert resp.headers.get("Connection", "").lower() == "close"


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{labels} not in metrics")


async def test_metrics_names_and_route_templates(client) -> None:
    _, key = await register_agent(client)
    for _ in range(3):
        assert (await client.post("/api/v1/problems", json=problem_body(), headers=agent_headers(key))).status == 202
    await client.get("/api/v1/problems/987654")
    await client.get("/no/such/path/123")
    resp = await client.get("/metrics")
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
    text = await resp.text()
    assert _sample(text, "http_requests_total", route="/api/v1/problems/{id}", method="GET", status="404") == 1
    assert _sample(text, "http_requests_total", route="/api/v1/problems", method="POST", status="202") == 3
    assert _sample(text, "http_request_duration_seconds_count", route="/api/v1/problems", method="POST") == 3
    assert _sample(text, "http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert "987654" not in text and "/no/such" not in text
    assert _sample(text, "guardrail_queue_length") == 3
    assert _sample(text, "http_requests_in_flight") == 1  # this scrape
    for name in ("db_pool_size", "db_pool_available", "db_pool_waiting", "db_pool_timeouts_total",
                 "rate_limit_backend_errors_total", "guardrail_enqueue_errors_total"):
        _sample(text, name)
    assert re.search(r"^# TYPE rate_limit_rejections_total counter$", text, re.M)
    assert re.search(r"^# TYPE http_request_duration_seconds histogram$", text, re.M)
