"""The VU's cookie jar keeps and sends cookies as the standard jar does, over real HTTP (a Locust
FastHttpSession, in a subprocess because Locust patches the process with gevent, against an aiohttp
server in a thread of the test), and stays empty against an API that sets none."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from .conftest import ROOT

CLIENT = '''
import json, sys
import locust  # noqa: F401 - patches the process with gevent first
from locust.contrib.fasthttp import FastHttpSession
from locust.event import Events
from harness.engine.cookies import QuietCookieJar, install

class User:  # what the session asks of its user
    def context(self):
        return {}

session = FastHttpSession(base_url=sys.argv[1], request_event=Events().request, user=User())
install(session)
seen = {"quiet": isinstance(session.client.cookiejar, QuietCookieJar) and session.cookiejar is session.client.cookiejar}
seen["before"] = [session.get("/echo").text for _ in range(3)]
seen["jar_before"] = [c.name for c in session.cookiejar]
session.get("/set")
seen["after"] = session.get("/echo").text
seen["jar_after"] = [c.name for c in session.cookiejar]
print(json.dumps(seen))
'''


async def set_cookie(_request: web.Request) -> web.Response:
    response = web.Response(text="set")
    response.set_cookie("session", "abc123", path="/")
    return response


async def echo(request: web.Request) -> web.Response:
    return web.Response(text=request.headers.get("Cookie", ""))


@pytest.fixture
def base_url() -> Iterator[str]:
    app = web.Application()
    app.router.add_get("/set", set_cookie)
    app.router.add_get("/echo", echo)
    loop = asyncio.new_event_loop()
    ready, holder = threading.Event(), {}

    async def start() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        holder["runner"], holder["port"] = runner, site._server.sockets[0].getsockname()[1]

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield f"http://127.0.0.1:{holder['port']}"
    asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_cookies_a_server_sets_are_sent_back_and_none_are_made_up(base_url: str) -> None:
    done = subprocess.run([sys.executable, "-c", CLIENT, base_url], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["quiet"] is True
    assert seen["before"] == ["", "", ""] and seen["jar_before"] == []  # an API that sets none: nothing kept
    assert seen["after"] == "session=abc123" and seen["jar_after"] == ["session"]
