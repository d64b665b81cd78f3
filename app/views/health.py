"""Operations endpoints: liveness, readiness, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio
import math
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


async def health(request: web.Request) -> web.Response:
    return json_response(Health(status="ok", timestamp=datetime.now(timezone.utc)))


async def _check_database(app: web.Application) -> CheckStatus:
    try:
        async with app[DB_POOL].connection(timeout=READY_CHECK_TIMEOUT_S) as conn:
            await asyncio.wait_for(conn.execute("SELECT 1"), READY_CHECK_TIMEOUT_S)
    except asyncio.TimeoutError:
        return "timeout"
    except Exception:  # noqa: BLE001 - any failure means "not ready"; the kind is in the status
        return "error"
    return "ok"


async def _check_redis(app: web.Application) -> CheckStatus:
    try:
        await asyncio.wait_for(app[REDIS].ping(), READY_CHECK_TIMEOUT_S)
    except asyncio.TimeoutError:
        return "timeout"
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


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
    body = Readiness(status="ready" if ok else "degraded", checks={"database": database, "redis": redis},
                     version=version, uptime=uptime)
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
