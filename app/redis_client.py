"""The Redis (Valkey) client: rate limits and the guardrail job stream share it.

Timeouts are short and retries few on purpose: redis-py's default (10 retries with exponential
backoff) would turn a dead Redis into multi-second request latency, while the rate limiter must
fail open quickly and an enqueue must fail fast enough to answer 503.
"""

from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .config import Settings
from .state import REDIS, SETTINGS

SOCKET_TIMEOUT_S = 1.0
CONNECT_TIMEOUT_S = 1.0
MAX_CONNECTIONS = 64
POOL_WAIT_S = 1.0


def make_redis(settings: Settings) -> Redis:
    # A blocking pool: past MAX_CONNECTIONS concurrent commands, callers wait (at most
    # POOL_WAIT_S) for a connection instead of failing at once, as the default pool does.
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        # One immediate retry covers a pooled connection that went stale across a Redis restart.
        retry=Retry(NoBackoff(), 1),
        health_check_interval=30,
    )
    return Redis.from_pool(pool)


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the client connects lazily, so a Redis that is down does not stop startup."""
    client = make_redis(app[SETTINGS])
    app[REDIS] = client
    yield
    await client.aclose()
