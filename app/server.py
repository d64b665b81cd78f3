"""The API process: `create_app(settings)` (also used by the tests) and `main(argv)`.

Shutdown on SIGTERM or SIGINT, in this order:
1. readiness turns 503 (`shutting_down`) at once, so a load balancer stops routing here;
2. the listening socket closes: new connections are refused;
3. requests in flight finish, for at most Settings.shutdown_timeout_s; responses sent meanwhile
   carry `Connection: close`, so keep-alive clients move elsewhere;
4. aiohttp closes the idle connections, cancels anything still running after a short last
   grace, runs on_shutdown and then the cleanup contexts, which close what was opened here
   (the Redis client and the PostgreSQL pool);
5. the process exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import asyncio
import signal
import sys
from typing import AsyncIterator

import structlog
from aiohttp import web

from .config import ConfigError, Settings
from .connection import listen, request_head_middleware
from .db import db_pool_ctx, pool_stats
from .logging import configure_logging
from .metrics import Metrics
from .middleware import access_middleware, error_middleware, observe_middleware, request_id_middleware
from .openapi import build_openapi
from .ratelimit import RateLimiter
from .redis_client import redis_ctx
from .routes import ROUTES, add_routes
from .security import AgentKeyCache, JwtKeys
from .state import (
    AGENT_KEYS, JWT_KEYS, LIFECYCLE, METRICS, OPENAPI, RATE_LIMITER, REDIS, ROUTE_SPECS, SETTINGS, Lifecycle,
)
from .views.evidence import MULTIPART_OVERHEAD_BYTES, prepare_evidence_dir

# After the drain: how long aiohttp still waits for a handler before cancelling it.
LAST_GRACE_S = 1.0
_log = structlog.get_logger(logger_name="app.server")


async def _services_ctx(app: web.Application) -> AsyncIterator[None]:
    """Things that need the Redis client and the pool: the rate limiter, pool metrics, storage."""
    settings = app[SETTINGS]
    app[RATE_LIMITER] = RateLimiter(app[REDIS], settings.rate_limits, app[METRICS])
    app[METRICS].bind_pool_stats(lambda: pool_stats(app))
    prepare_evidence_dir(settings.evidence_dir)
    yield


async def _mark_shutting_down(app: web.Application) -> None:
    app[LIFECYCLE].shutting_down = True


def create_app(settings: Settings) -> web.Application:
    # Uploads are streamed and capped by the evidence view itself; client_max_size only has to be
    # large enough that aiohttp never refuses first with a bare, non-JSON 413.
    client_max_size = max(settings.max_json_body_bytes, settings.evidence_max_bytes) + MULTIPART_OVERHEAD_BYTES
    app = web.Application(
        middlewares=[request_head_middleware, request_id_middleware, observe_middleware, error_middleware,
                     access_middleware],
        client_max_size=client_max_size,
    )
    app[SETTINGS] = settings
    app[LIFECYCLE] = Lifecycle()
    app[METRICS] = Metrics()
    app[JWT_KEYS] = JwtKeys(
        secret=settings.jwt_secret,
        previous=settings.jwt_secret_previous,
        access_ttl_s=settings.access_token_ttl_s,
        refresh_ttl_s=settings.refresh_token_ttl_s,
    )
    app[AGENT_KEYS] = AgentKeyCache()
    app[ROUTE_SPECS] = {spec.name: spec for spec in ROUTES}
    app[OPENAPI] = build_openapi(version=settings.git_sha)
    add_routes(app)
    # Opened in this order, closed in reverse: the pool closes first, then Redis.
    app.cleanup_ctx.extend([redis_ctx, db_pool_ctx, _services_ctx])
    app.on_shutdown.append(_mark_shutting_down)
    return app


async def serve(settings: Settings) -> int:
    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=LAST_GRACE_S)
    await runner.setup()
    # Our own listening socket, not a TCPSite: each connection gets the head deadline (app.connection).
    listener = await listen(runner, host=settings.host, port=settings.port, header_timeout_s=settings.header_timeout_s,
                            keepalive_timeout_s=settings.keepalive_timeout_s)
    _log.info("listening", addresses=[f"{host}:{port}" for host, port, *_ in
                                      (sock.getsockname() for sock in listener.sockets)],
              environment=settings.environment, version=settings.git_sha,
              header_timeout_s=settings.header_timeout_s, body_timeout_s=settings.body_timeout_s)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await shutdown(app, runner, listener, settings.shutdown_timeout_s)
    return 0


async def shutdown(app: web.Application, runner: web.AppRunner, listener: asyncio.AbstractServer,
                   timeout_s: float) -> None:
    lifecycle = app[LIFECYCLE]
    lifecycle.shutting_down = True
    _log.info("shutdown started", in_flight=lifecycle.in_flight, timeout_s=timeout_s)
    listener.close()  # no new connections; the open ones are drained below
    drained = await lifecycle.wait_idle(timeout_s)
    _log.info("drain finished" if drained else "drain timed out", in_flight=lifecycle.in_flight)
    await runner.cleanup()
    _log.info("shutdown complete")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app api", description="Run the BetterWorld API server.")
    parser.add_argument("--port", type=int, help="listen port (default: API_PORT or 4000)")
    parser.add_argument("--host", help="listen address (default: API_HOST or 127.0.0.1)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"api: {exc}", file=sys.stderr)
        return 2
    overrides = {key: value for key, value in (("port", args.port), ("host", args.host)) if value is not None}
    if overrides:
        settings = dataclasses.replace(settings, **overrides)
    configure_logging(settings.log_level)
    return asyncio.run(serve(settings))
