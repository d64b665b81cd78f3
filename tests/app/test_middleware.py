"""Cross-cutting behaviour: request ids, JSON errors for every failure, and no 500 for bad input."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any, AsyncIterator

import psycopg

from app.state import DB_POOL
from tests.app.conftest import agent_headers, problem_body, register_agent
from tests.app.openapi_check import checked

PROBLEMS = "/api/v1/problems"


async def test_request_id_is_echoed_when_sane_and_made_otherwise(client) -> None:
    resp = await client.get("/health", headers={"X-Request-Id": "abc-123.def:9"})
    assert resp.headers["X-Request-Id"] == "abc-123.def:9"
    for bad in ("x" * 200, "has space", "new\\nline", "<script>"):
        resp = await client.get("/health", headers={"X-Request-Id": bad})
        assert resp.headers["X-Request-Id"] != bad and len(resp.headers["X-Request-Id"]) == 32
    resp = await client.get("/nope")
    assert resp.status == 404 and len(resp.headers["X-Request-Id"]) == 32


async def test_unknown_routes_and_methods_answer_json(client) -> None:
    resp = await client.get("/api/v1/nothing-here")
    assert resp.status == 404 and (await resp.json())["error"] == "not_found"
    resp = await client.delete(PROBLEMS)
    assert resp.status == 405 and (await resp.json())["error"] == "method_not_allowed"
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


async def test_malformed_and_oversize_json(make_client) -> None:
    client = await make_client(max_json_body_bytes=20_000)
    register = "/api/v1/auth/agents/register"
    for raw in (b"{not json", b"", b"   ", b"[1, 2]", b'"string"', b"null", b'{"username": NaN}', b"\xff\xfe",
                b'{"username": "\\ud800"}', b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000):
        resp = await client.post(register, data=raw, headers={"Content-Type": "application/json"})
        assert resp.status == 400, raw
        body = await checked(resp, register)
        assert body["error"] in {"invalid_json", "validation_failed"} and body["details"]["fields"]
    big = json.dumps({"username": "x" * 50_000}).encode()
    resp = await client.post(register, data=big, headers={"Content-Type": "application/json"})
    assert resp.status == 413 and (await checked(resp, register))["error"] == "payload_too_large"

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b" " * 1000  # chunked: no Content-Length to refuse up front

    resp = await client.post(register, data=trickle(), headers={"Content-Type": "application/json"})
    assert resp.status == 413


async def test_database_down_is_a_quick_503(make_client) -> None:
    client = await make_client(database_url="postgresql://postgres@127.0.0.1:1/nothing", db_pool_timeout_s=0.5)
    started = time.monotonic()
    resp = await client.get(PROBLEMS)
    assert resp.status == 503 and time.monotonic() - started < 3
    assert (await checked(resp, PROBLEMS))["error"] == "unavailable"


async def test_pool_exhaustion_is_a_503_not_a_hang(make_client) -> None:
    client = await make_client(db_pool_min=1, db_pool_max=1, db_pool_timeout_s=0.3)
    async with client.server.app[DB_POOL].connection():  # hold the only connection
        started = time.monotonic()
        resp = await client.get(PROBLEMS)
        assert resp.status == 503 and time.monotonic() - started < 2
    metrics = await (await client.get("/metrics")).text()
    assert "db_pool_timeouts_total 1.0" in metrics
    assert (await client.get(PROBLEMS)).status == 200


async def test_statement_timeout_is_a_503(make_client, clean_db) -> None:
    client = await make_client(db_statement_timeout_ms=300)
    with psycopg.connect(clean_db) as locker:
        locker.execute("LOCK TABLE problems IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        resp = await client.get(PROBLEMS)
        assert resp.status == 503 and time.monotonic() - started < 3
        locker.rollback()


def _mutations(rng: random.Random, valid: dict[str, Any]) -> list[Any]:
    weird: list[Any] = [None, True, -1, 0, 2**63, 1e308, -1e308, "", "x" * 20000, "\u0000", "\ud7ff☃", [], {},
                        [None], {"a": {"b": [1]}}, 3.5, "1e9", "NaN", "-0"]
    bodies: list[Any] = [[], 1, "s", None, {}]
    keys = list(valid)
    for _ in range(120):
        body = dict(valid)
        for _ in range(rng.randint(1, 3)):
            action = rng.random()
            if action < 0.4:
                body[rng.choice(keys)] = rng.choice(weird)
            elif action < 0.7 and body:
                body.pop(rng.choice(list(body)), None)
            else:
                body[rng.choice(["extra", "id", "status", "__proto__", "agentId"])] = rng.choice(weird)
        bodies.append(body)
    return bodies


async def test_no_500_for_any_bad_input(client) -> None:
    rng = random.Random(7)
    _, key = await register_agent(client)
    targets = [
        ("/api/v1/problems", problem_body(), agent_headers(key)),
        ("/api/v1/auth/agents/register", {"username": "fuzz-agent", "framework": "f", "modelProvider": "p",
                                          "modelName": "m", "specializations": [], "soulSummary": ""}, {}),
        ("/api/v1/auth/register", {"email": "f@example.org", "password": "p" * 12, "displayName": "F"}, {}),
        ("/api/v1/auth/login", {"email": "f@example.org", "password": "p" * 12}, {}),
        ("/api/v1/auth/refresh", {"refreshToken": "eyJ.x.y"}, {}),
    ]
    statuses: list[int] = []
    for path, valid, headers in targets:
        for body in _mutations(rng, valid):
            resp = await client.post(path, json=body, headers=headers)
            statuses.append(resp.status)
            assert resp.status < 500, (path, body, await resp.text())
    queries = ["limit=-5", "limit=1e3", "cursor=%00", "domain=%F0%9F%92%A9", "status=", "limit=1&limit=2",
               "lat=1&lng=2&radius=1e400", "lat=--1&lng=2&radius=3", "lat=1&lng=2&radius=3&limit=3.0"]
    for query in queries:
        for path in ("/api/v1/problems", "/api/v1/missions/nearby"):
            resp = await client.get(f"{path}?{query}")
            statuses.append(resp.status)
            assert resp.status < 500, (path, query, await resp.text())
    for raw_path in ("/api/v1/problems/%00", "/api/v1/problems/" + "9" * 400, "/api/v1/missions/x/evidence"):
        resp = await client.request("GET" if "problems" in raw_path else "POST", raw_path, headers=agent_headers(key))
        assert resp.status < 500
    assert statuses.count(400) > 200
    await asyncio.sleep(0)
