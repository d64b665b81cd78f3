"""A small aiohttp server that counts requests, for the engine's benchmarks and tests when the
platform's API is not at hand. It exposes what the benchmarks read from the real API:

    GET  /health                             light endpoint, 200 {"status": "ok"}
    GET  /metrics                            Prometheus text: http_requests_total{path=...}
    GET  /sleep?ms=N                         answers after N ms
    GET  /status/{code}                      answers with that status
    POST /api/v1/auth/agents/register        201 {agentId, apiKey}

    python benchmarks/engine_count_server.py --port 8089 [--cpu 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections import Counter

from aiohttp import web

COUNTS = web.AppKey("counts", Counter)


@web.middleware
async def count_requests(request: web.Request, handler):  # noqa: ANN001, ANN201
    if request.path != "/metrics":
        request.app[COUNTS][request.path if not request.path.startswith("/status/") else "/status"] += 1
    return await handler(request)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def sleep(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("ms", "0")) / 1000.0)
    return web.json_response({"slept_ms": float(request.query.get("ms", "0"))})


async def status(request: web.Request) -> web.Response:
    return web.json_response({"status": int(request.match_info["code"])}, status=int(request.match_info["code"]))


async def register(request: web.Request) -> web.Response:
    body = await request.json()
    if not body.get("username"):
        return web.json_response({"error": "username required"}, status=400)
    return web.json_response({"agentId": str(uuid.uuid4()), "apiKey": "bw_" + uuid.uuid4().hex}, status=201)


async def metrics(request: web.Request) -> web.Response:
    lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
    for path, count in sorted(request.app[COUNTS].items()):
        lines.append(f'http_requests_total{{path="{path}"}} {count}')
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def create_app() -> web.Application:
    app = web.Application(middlewares=[count_requests])
    app[COUNTS] = Counter()
    app.router.add_get("/health", health)
    app.router.add_get("/sleep", sleep)
    app.router.add_get("/status/{code}", status)
    app.router.add_post("/api/v1/auth/agents/register", register)
    app.router.add_get("/metrics", metrics)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    web.run_app(create_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
