"""Rate limits: exact under concurrency, every key expires, the right class per caller, fail-open."""

from __future__ import annotations

import asyncio

import pytest
import redis

from app.config import RATE_LIMIT_PROFILES, RateLimit, Settings
from app.metrics import Metrics
from app.ratelimit import AUTH_FAILURE_CLASS, DEFAULT_AUTH_FAILURE_LIMIT, RateLimiter, rate_limit_key
from app.redis_client import make_redis
from tests.app.conftest import agent_headers, problem_body, register_agent
from tests.app.openapi_check import checked

PROBLEMS = "/api/v1/problems"


def limits(**overrides: int) -> dict[str, RateLimit]:
    base = dict(RATE_LIMIT_PROFILES["loadtest"])
    base.update({name: RateLimit(value) for name, value in overrides.items()})
    return base


def all_keys_expire(redis_url: str) -> list[tuple[str, int]]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = [(k, client.pttl(k)) for k in client.scan_iter("rl:*")]
    assert keys, "no rate-limit keys were written"
    return [(k, ttl) for k, ttl in keys if ttl <= 0]


async def test_exactly_the_limit_passes_among_concurrent_requests(make_client, redis_url) -> None:
    client = await make_client(rate_limits=limits(public=10))
    responses = await asyncio.gather(*(client.get(PROBLEMS) for _ in range(100)))
    statuses = sorted(r.status for r in responses)
    assert statuses.count(200) == 10 and statuses.count(429) == 90
    rejected = next(r for r in responses if r.status == 429)
    body = await checked(rejected, PROBLEMS)
    assert body["error"] == "rate_limited"
    assert body["details"]["class"] == "public" and body["details"]["limit"] == 10
    assert 1 <= body["details"]["retryAfter"] <= 60
    assert rejected.headers["Retry-After"] == str(body["details"]["retryAfter"])
    assert rejected.headers["X-RateLimit-Remaining"] == "0" and rejected.headers["X-RateLimit-Limit"] == "10"
    assert all_keys_expire(redis_url) == []
    metrics = await (await client.get("/metrics")).text()
    assert 'rate_limit_rejections_total{class="public"} 90.0' in metrics


async def test_the_limiter_itself_is_exact_and_always_sets_a_ttl(redis_url, clean_db) -> None:
    client = make_redis(Settings(redis_url=redis_url))  # the app's client: a bounded, blocking pool
    limiter = RateLimiter(client, {"agent": RateLimit(10, window_s=30)}, Metrics())
    results = await asyncio.gather(*(limiter.hit(["agent"], "a1") for _ in range(200)))
    allowed = [d for (d,) in results if d.allowed]
    assert len(allowed) == 10 and sorted(d.count for (d,) in results) == list(range(1, 201))
    assert 0 < await client.pttl(rate_limit_key("agent", "a1")) <= 30_000
    # A key left without an expiry (the seed's crash window) is repaired by the next hit.
    await client.set(rate_limit_key("agent", "a2"), 5)
    (decision,) = await limiter.hit(["agent"], "a2")
    assert decision.count == 6 and 0 < await client.pttl(rate_limit_key("agent", "a2")) <= 30_000
    await client.aclose()


async def test_peek_reads_a_count_without_adding_to_it(redis_url, clean_db) -> None:
    client = make_redis(Settings(redis_url=redis_url))
    limiter = RateLimiter(client, {"agent": RateLimit(10)}, Metrics())
    assert limiter.limit_for(AUTH_FAILURE_CLASS) == DEFAULT_AUTH_FAILURE_LIMIT  # present unless configured
    key, limit = rate_limit_key(AUTH_FAILURE_CLASS, "10.0.0.1"), DEFAULT_AUTH_FAILURE_LIMIT.limit
    fresh = await limiter.peek(AUTH_FAILURE_CLASS, "10.0.0.1")
    assert fresh is not None and fresh.allowed and fresh.count == 1 and await client.exists(key) == 0
    for _ in range(limit - 1):
        await limiter.hit([AUTH_FAILURE_CLASS], "10.0.0.1")
    nearly = await limiter.peek(AUTH_FAILURE_CLASS, "10.0.0.1")
    assert nearly is not None and nearly.allowed  # one failure left
    await limiter.hit([AUTH_FAILURE_CLASS], "10.0.0.1")
    blocked = await limiter.peek(AUTH_FAILURE_CLASS, "10.0.0.1")
    assert blocked is not None and not blocked.allowed
    assert 1 <= blocked.retry_after_s <= DEFAULT_AUTH_FAILURE_LIMIT.window_s and "Retry-After" in blocked.headers()
    assert int(await client.get(key)) == limit  # peeking added nothing
    assert (await limiter.peek(AUTH_FAILURE_CLASS, "10.0.0.2")).allowed  # per identity
    await client.aclose()
    down = RateLimiter(make_redis(Settings(redis_url="redis://127.0.0.1:1/0")), {}, Metrics())
    assert await down.peek(AUTH_FAILURE_CLASS, "10.0.0.1") is None  # fail open, like `hit`


async def test_content_create_limits_problem_submissions_per_agent(make_client, redis_url) -> None:
    client = await make_client(rate_limits=limits(content_create=2, agent=50))
    _, key = await register_agent(client)
    statuses = [(await client.post(PROBLEMS, json=problem_body(), headers=agent_headers(key))).status for _ in range(3)]
    assert statuses == [202, 202, 429]
    resp = await client.post(PROBLEMS, json=problem_body(), headers=agent_headers(key))
    assert (await resp.json())["details"]["class"] == "content_create"
    beat = await client.post("/api/v1/agents/heartbeat", headers=agent_headers(key))
    assert beat.status == 200 and beat.headers["X-RateLimit-Limit"] == "50"  # the agent class still has room
    _, other = await register_agent(client, "another-agent")
    assert (await client.post(PROBLEMS, json=problem_body(), headers=agent_headers(other))).status == 202
    assert all_keys_expire(redis_url) == []


async def test_agent_requests_count_per_agent_not_per_ip(make_client) -> None:
    client = await make_client(rate_limits=limits(agent=3, public=1000))
    _, key = await register_agent(client)
    statuses = [(await client.get(PROBLEMS, headers=agent_headers(key))).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert (await client.get(PROBLEMS)).status == 200  # anonymous: the public class, per IP


async def test_auth_routes_are_limited_per_ip(make_client) -> None:
    client = await make_client(rate_limits=limits(auth=3))
    statuses = []
    for i in range(4):
        resp = await client.post("/api/v1/auth/login", json={"email": f"u{i}@example.org", "password": "wrong-password"})
        statuses.append(resp.status)
    assert statuses == [401, 401, 401, 429]


async def test_limit_headers_are_on_errors_too(make_client) -> None:
    client = await make_client(rate_limits=limits(public=5))
    resp = await client.get(f"{PROBLEMS}/424242")
    assert resp.status == 404
    assert resp.headers["X-RateLimit-Limit"] == "5" and resp.headers["X-RateLimit-Remaining"] == "4"
    assert int(resp.headers["X-RateLimit-Reset"]) > 0
    assert "X-RateLimit-Limit" not in (await client.get("/health")).headers  # operations are not limited


async def test_redis_down_fails_open_and_is_counted(make_client, caplog) -> None:
    client = await make_client(redis_url="redis://127.0.0.1:1/0", rate_limits=limits(public=1))
    statuses = [(await client.get(PROBLEMS)).status for _ in range(3)]
    assert statuses == [200, 200, 200]
    metrics = await (await client.get("/metrics")).text()
    assert "rate_limit_backend_errors_total 3.0" in metrics
    assert "guardrail_queue_length NaN" in metrics


@pytest.mark.parametrize("klass", ["human"])
async def test_human_class_per_user(make_client, klass) -> None:
    client = await make_client(rate_limits=limits(human=2, auth=100))
    account = {"email": "h@example.org", "password": "correct horse battery", "displayName": "H"}
    tokens = await (await client.post("/api/v1/auth/register", json=account)).json()
    headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
    statuses = [(await client.get(PROBLEMS, headers=headers)).status for _ in range(3)]
    assert statuses == [200, 200, 429]
