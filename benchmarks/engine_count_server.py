"""A small aiohttp server that counts requests, for the engine's benchmarks and tests when the
platform's API is not at hand. It exposes what the benchmarks read from the real API:

    GET  /health                             light endpoint, 200 {"status": "ok"}
    GET  /metrics                            Prometheus text: http_requests_total{path=...}
    GET  /sleep?ms=N                         answers after N ms
    GET  /status/{code}                      answers with that status
    GET  /stall?ms=20&after=N&stall_ms=2000  answers after `ms`; the N-th such request starts a stall:
                                             every one arriving in the next `stall_ms` is held to its end
    POST /api/v1/auth/agents/register        201 {agentId, apiKey}

    python benchmarks/engine_count_server.py --port 8089 [--cpu 1] [--fast]

`--fast` serves the same counters from a bare asyncio protocol (GET /health and GET /metrics
only, keep-alive), several times faster than aiohttp, so that a throughput benchmark measures
the load generator and not the server; on uvloop's event loop when it is installed
(`pip install -e '.[bench]'`), which halves the server's CPU per request again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections import Counter

from aiohttp import web

COUNTS = web.AppKey("counts", Counter)
STALL = web.AppKey("stall", dict)


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


async def stall(request: web.Request) -> web.Response:
    """A service of known behaviour: `ms` per request, and one stall of `stall_ms` that begins
    with the `after`-th request; a request arriving during the stall waits for its end, then its `ms`."""
    state = request.app[STALL]
    loop = asyncio.get_running_loop()
    state["seen"] = state.get("seen", 0) + 1
    if state["seen"] == int(request.query.get("after", "0")):
        state["until"] = loop.time() + float(request.query.get("stall_ms", "2000")) / 1000.0
    held_s = max(0.0, state.get("until", 0.0) - loop.time())
    await asyncio.sleep(held_s + float(request.query.get("ms", "0")) / 1000.0)
    return web.json_response({"held_ms": held_s * 1000.0})


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


async def use(request: web.Request) -> web.Response:
    """GET /use/{key}: a data row's use; the middleware counts it under its own path (/use/<key>)."""
    return web.json_response({"used": request.match_info["key"]})


def create_app() -> web.Application:
    app = web.Application(middlewares=[count_requests])
    app[COUNTS] = Counter({"/health": 0})
    app[STALL] = {}
    app.router.add_get("/health", health)
    app.router.add_get("/stall", stall)
    app.router.add_get("/sleep", sleep)
    app.router.add_get("/status/{code}", status)
    app.router.add_post("/api/v1/auth/agents/register", register)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/use/{key}", use)
    return app


class FastHttp(asyncio.Protocol):
    """Just enough HTTP/1.1 for GET /health and GET /metrics with keep-alive."""

    HEALTH = b'{"status": "ok"}'

    def __init__(self, counts: Counter) -> None:
        self.counts = counts
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            target = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else "/"
            path = target.split("?", 1)[0]
            if path == "/metrics":
                lines = [f'http_requests_total{{path="{p}"}} {c}' for p, c in sorted(self.counts.items())]
                self._send(200, ("\n".join(lines) + "\n").encode(), b"text/plain")
            elif path == "/health":
                self.counts["/health"] += 1
                self._send(200, self.HEALTH, b"application/json")
            else:
                self.counts[path] += 1
                self._send(404, b"{}", b"application/json")

    def _send(self, status: int, body: bytes, content_type: bytes) -> None:
        reason = b"OK" if status == 200 else b"Not Found"
        self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
                             % (status, reason, content_type, len(body), body))


def fast_loop_name() -> str:
    """The event loop `--fast` runs on: uvloop when installed (the cheaper server), else asyncio's."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


async def serve_fast(port: int) -> None:
    counts: Counter = Counter({"/health": 0})
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FastHttp(counts), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    parser.add_argument("--fast", action="store_true", help="bare asyncio server (GET /health, /metrics)")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.fast:
        if fast_loop_name() == "uvloop":
            import uvloop

            uvloop.run(serve_fast(args.port))
        else:
            asyncio.run(serve_fast(args.port))
        return
    web.run_app(create_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
