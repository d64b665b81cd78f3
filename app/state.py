"""Typed application keys and the process's lifecycle state, shared by views and middleware."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiohttp import web
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from .config import Settings
from .metrics import Metrics
from .ratelimit import RateLimiter
from .security import AgentKeyCache, JwtKeys


@dataclass
class Lifecycle:
    """Readiness and in-flight accounting, read by /ready and by the shutdown sequence."""

    started_monotonic: float = field(default_factory=time.monotonic)
    shutting_down: bool = False
    in_flight: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def request_started(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def request_finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def wait_idle(self, timeout_s: float) -> bool:
        """True when no request is in flight, False if `timeout_s` passed first."""
        if self.in_flight == 0:
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except asyncio.TimeoutError:
            return False
        return True

    def uptime_s(self) -> float:
        return time.monotonic() - self.started_monotonic


SETTINGS = web.AppKey("settings", Settings)
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
METRICS = web.AppKey("metrics", Metrics)
JWT_KEYS = web.AppKey("jwt_keys", JwtKeys)
AGENT_KEYS = web.AppKey("agent_keys", AgentKeyCache)
DB_POOL = web.AppKey("db_pool", AsyncConnectionPool)
REDIS = web.AppKey("redis", Redis)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
OPENAPI = web.AppKey("openapi", dict)  # the generated OpenAPI document
ROUTE_SPECS = web.AppKey("route_specs", dict)  # route name -> app.routes.RouteSpec
