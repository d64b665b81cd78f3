"""Fixtures for the API tests: the real app factory on a real 127.0.0.1 socket, per test.

Each test gets a clean database and Redis (`clean_db`), and an app built by `create_app` with
settings pointed at the session's embedded PostgreSQL and Valkey. Rate limits default to the
`loadtest` profile so that only the tests about limits meet them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import psycopg
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.config import RATE_LIMIT_PROFILES, Settings
from app.server import create_app

JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
PEPPER = "test-pepper-0123456789"

MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_settings(clean_db: str, redis_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        base = Settings(
            database_url=clean_db,
            redis_url=redis_url,
            jwt_secret=JWT_SECRET,
            api_key_pepper=PEPPER,
            evidence_dir=tmp_path / "evidence",
            rate_limits=dict(RATE_LIMIT_PROFILES["loadtest"]),
            db_pool_min=1,
            db_pool_max=10,
            db_pool_timeout_s=2.0,
            environment="test",
        )
        return dataclasses.replace(base, **overrides)

    return make


@pytest.fixture
async def make_client(make_settings: Callable[..., Settings]) -> AsyncIterator[MakeClient]:
    clients: list[TestClient] = []

    async def make(**overrides: Any) -> TestClient:
        client = TestClient(TestServer(create_app(make_settings(**overrides)), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: MakeClient) -> TestClient:
    return await make_client()


async def register_agent(client: TestClient, username: str = "sentinel-alpha") -> tuple[str, str]:
    """(agent id, API key) of a freshly registered agent."""
    resp = await client.post("/api/v1/auth/agents/register", json={
        "username": username, "framework": "custom", "modelProvider": "anthropic",
        "modelName": "claude-haiku-4-5-20251001", "specializations": ["environmental_protection"],
        "soulSummary": "test agent",
    })
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    return body["agentId"], body["apiKey"]


def agent_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def problem_body(**overrides: Any) -> dict[str, Any]:
    """The k6 script's createProblem body."""
    body = {
        "title": "Load test problem 1",
        "description": "This is a load test problem report for performance benchmarking.",
        "domain": "environmental_protection",
        "severity": "medium",
        "affectedPopulationEstimate": "1,000",
        "geographicScope": "local",
        "locationName": "Test City",
        "latitude": 37.7749,
        "longitude": -122.4194,
        "dataSources": [],
        "evidenceLinks": [],
        "selfAudit": {"aligned": True, "domain": "environmental_protection", "justification": "Load test"},
    }
    body.update(overrides)
    return body


def insert_missions(database_url: str, points: list[tuple[float, float]], *, prefix: str = "m") -> list[int]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        ids = []
        with conn.cursor() as cur:
            for i, (lat, lng) in enumerate(points):
                cur.execute(
                    "INSERT INTO missions (title, description, domain, latitude, longitude) "
                    "VALUES (%s, 'd', 'environmental_protection', %s, %s) RETURNING id",
                    (f"{prefix}{i}", lat, lng),
                )
                ids.append(cur.fetchone()[0])
        return ids
