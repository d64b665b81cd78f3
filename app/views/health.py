"""Operations endpoints: liveness, readiness, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio
import math
import weakref
from datetime import datetime, timezone
from typing import Literal

from aiohttp import web

from ..metrics import CONTENT_TYPE
from ..queue import queue_length
from ..schemas import Health, Readiness
from ..state import DB_POOL, LIFECYCLE, METRICS, OPENAPI, REDIS, SETTINGS
from .common import json_response

READY_CHECK_TIMEOUT_S = 1.0
QUEUE_SAMPLE_TIMEOUT_S = 0.5
CheckStatus = Literal["ok", "error", "timeout", "skipped"]
# The database check still running per app (at most one; see _check_database), with its deadline.
_DB_CHECKS: weakref.WeakKeyDictionary[web.Application, tuple[asyncio.Task[None], float]] = weakref.WeakKeyDictionary()


async def health(request: web.Request) -> web.Response:
    return json_response(Health(status="ok", timestamp=datetime.now(timezone.utc)))


async def _select_one(app: web.Application) -> None:
    async with app[DB_POOL].connection(timeout=READY_CHECK_TIMEOUT_S) as conn:
        await conn.execute("SELECT 1")


def _consume_outcome(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log "exception was never retrieved"


async def _check_database(app: web.Application) -> CheckStatus:
    """SELECT 1 on a pooled connection, answered within READY_CHECK_TIMEOUT_S whatever the server does.

    The check runs as its own task and is never awaited past the budget: cancelling a query makes
    psycopg send a cancel request and wait for the server (up to ~10 s on a hung server), and
    returning the connection to the pool waits for that too. So on timeout the task is cancelled
    and left to clean up in the background. Concurrent /ready requests (a load balancer and a
    kubelet probing at once) share the check in flight and its deadline, so a healthy server
    answers "ok" to all of them; a check still stuck past its deadline makes the next /ready answer
    "timeout" at once instead of piling another connection onto the hung server.
    """
    loop = asyncio.get_running_loop()
    in_flight = _DB_CHECKS.get(app)
    owner = in_flight is None or in_flight[0].done()
    if owner:
        task, deadline = asyncio.ensure_future(_select_one(app)), loop.time() + READY_CHECK_TIMEOUT_S
        task.add_done_callback(_consume_outcome)
        _DB_CHECKS[app] = (task, deadline)
    else:
        task, deadline = in_flight  # type: ignore[misc]
        if loop.time() >= deadline:
            return "timeout"
    try:
        done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
    except asyncio.CancelledError:
        if owner:  # the request that started the check went away: so does the check
            task.cancel()
        raise
    if not done:
        task.cancel()
        return "timeout"
    return "ok" if not task.cancelled() and task.exception() is None else "error"


async def _check_redis(app: web.Application) -> CheckStatus:
    try:
        await asyncio.wait_for(app[REDIS].ping(), READY_CHECK_TIMEOUT_S)
    except asyncio.TimeoutError:
        return "timeout"
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


# maxmemory-policy values that may evict any key, queued jobs included (DESIGN.md §5).
EVICTING_POLICIES = frozenset({"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
                               "volatile-random", "volatile-ttl"})


async def _redis_warnings(app: web.Application) -> list[str]:
    """A warning when the job broker (this Redis) may evict queued jobs; nothing if it cannot be read."""
    try:
        config = await asyncio.wait_for(app[REDIS].config_get("maxmemory-policy"), READY_CHECK_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - CONFIG may be disabled (managed Redis): no warning rather than a failure
        return []
    policy = config.get("maxmemory-policy") if isinstance(config, dict) else None
    if isinstance(policy, bytes):
        policy = policy.decode()
    if policy in EVICTING_POLICIES:
        return [f"redis maxmemory-policy is {policy}: under memory pressure it evicts keys, including queued "
                "guardrail jobs; the job broker needs noeviction (or its own instance)"]
    return []


def _shutting_down(version: str, uptime: float) -> web.Response:
    body = Readiness(status="shutting_down", checks={"database": "skipped", "redis": "skipped"},
                     version=version, uptime=uptime)
    return json_response(body, status=503)


async def ready(request: web.Request) -> web.Response:
    app = request.app
    lifecycle = app[LIFECYCLE]
    version, uptime = app[SETTINGS].git_sha, round(lifecycle.uptime_s(), 3)
    if lifecycle.shutting_down:
        return _shutting_down(version, uptime)
    database, redis = await asyncio.gather(_check_database(app), _check_redis(app))
    if lifecycle.shutting_down:  # the signal came while we were checking: never answer "ready" now
        return _shutting_down(version, uptime)
    ok = database == "ok" and redis == "ok"
    warnings = await _redis_warnings(app) if redis == "ok" else []
    body = Readiness(status="ready" if ok else "degraded", checks={"database": database, "redis": redis},
                     version=version, uptime=uptime, warnings=warnings)
    return json_response(body, status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    app = request.app
    try:
        length: float = await queue_length(app[REDIS], app[SETTINGS].guardrail_stream, timeout_s=QUEUE_SAMPLE_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - an unreadable queue is reported as NaN, not as a failed scrape
        length = math.nan
    app[METRICS].queue_length.set(length)
    return web.Response(body=app[METRICS].render(), headers={"Content-Type": CONTENT_TYPE})


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])
