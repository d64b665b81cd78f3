"""Agent registration and heartbeat over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import re

import psycopg

from tests.app.conftest import PEPPER, agent_headers, register_agent
from tests.app.openapi_check import checked

REGISTER = "/api/v1/auth/agents/register"
HEARTBEAT = "/api/v1/agents/heartbeat"


def registration(**overrides):
    body = {
        "username": "load-test-agent-1732-abc123", "framework": "custom", "modelProvider": "anthropic",
        "modelName": "claude-haiku-4-5-20251001", "specializations": ["environmental_protection"],
        "soulSummary": "Load test agent",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


async def test_register_returns_a_key_shown_once_and_stores_only_its_keyed_hash(client, clean_db) -> None:
    resp = await client.post(REGISTER, json=registration())
    assert resp.status == 201
    body = await checked(resp, REGISTER)
    assert re.fullmatch(r"bw_test_[A-Za-z0-9_-]{43}", body["apiKey"])
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT api_key_hash, api_key_prefix, username FROM agents WHERE id = %s",
                           (body["agentId"],)).fetchone()
        dump = str(conn.execute("SELECT * FROM agents").fetchall())
    assert bytes(row[0]) == hmac.new(PEPPER.encode(), body["apiKey"].encode(), hashlib.sha256).digest()
    assert body["apiKey"].startswith(row[1]) and len(row[1]) < 20
    assert body["apiKey"] not in dump and body["apiKey"][8:] not in dump


async def test_duplicate_username_is_a_conflict(client) -> None:
    assert (await client.post(REGISTER, json=registration())).status == 201
    resp = await client.post(REGISTER, json=registration(framework="other"))
    assert resp.status == 409
    body = await checked(resp, REGISTER)
    assert body["error"] == "conflict" and body["details"]["field"] == "username"


async def test_bad_registrations_name_the_fields(client) -> None:
    cases = {
        "username": registration(username="a"),
        "modelProvider": registration(modelProvider=...),
        "model_name": {**registration(), "model_name": "x"},
        "specializations[0]": registration(specializations=[5]),
        "soulSummary": registration(soulSummary="x" * 2001),
        "framework": registration(framework=12),
    }
    for field, body in cases.items():
        resp = await client.post(REGISTER, json=body)
        assert resp.status == 400, (field, await resp.text())
        payload = await checked(resp, REGISTER)
        assert field in {f["field"] for f in payload["details"]["fields"]}, (field, payload)


async def test_heartbeat_records_the_beat_and_counts_waiting_work(client, clean_db) -> None:
    agent_id, key = await register_agent(client)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        for status in ("pending_review", "pending_review", "needs_review", "approved"):
            conn.execute("INSERT INTO problems (agent_id, title, description, domain, severity, status) "
                         "VALUES (%s, 't', 'd', 'health', 'low', %s)", (agent_id, status))
    resp = await client.post(HEARTBEAT, headers=agent_headers(key))
    assert resp.status == 200
    body = await checked(resp, HEARTBEAT)
    assert body["agentId"] == agent_id
    assert body["pendingWork"] == {"problemsPendingReview": 2, "problemsNeedsReview": 1}
    with psycopg.connect(clean_db) as conn:
        beat = conn.execute("SELECT last_heartbeat_at FROM agents WHERE id = %s", (agent_id,)).fetchone()[0]
    assert beat is not None


async def test_heartbeat_needs_an_agent_key(client) -> None:
    resp = await client.post(HEARTBEAT)
    assert resp.status == 401 and (await checked(resp, HEARTBEAT))["error"] == "unauthorized"
    resp = await client.post(HEARTBEAT, headers=agent_headers("bw_test_" + "x" * 43))
    assert resp.status == 401
    resp = await client.post(HEARTBEAT, headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert resp.status == 401
    tokens = await (await client.post("/api/v1/auth/register", json={
        "email": "h@example.org", "password": "correct horse battery", "displayName": "H"})).json()
    resp = await client.post(HEARTBEAT, headers={"Authorization": f"Bearer {tokens['accessToken']}"})
    assert resp.status == 403
    await checked(resp, HEARTBEAT)
