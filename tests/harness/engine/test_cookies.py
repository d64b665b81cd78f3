"""The VU's cookie jar keeps and sends cookies as the standard jar does, over real HTTP (a Locust
FastHttpSession, in a subprocess because Locust patches the process with gevent, against an aiohttp
server in a thread of the test), and stays empty against an API that sets none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from aiohttp import web

from .conftest import ROOT, serving

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
    with serving(app) as url:
        yield url


def test_cookies_a_server_sets_are_sent_back_and_none_are_made_up(base_url: str) -> None:
    done = subprocess.run([sys.executable, "-c", CLIENT, base_url], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["quiet"] is True
    assert seen["before"] == ["", "", ""] and seen["jar_before"] == []  # an API that sets none: nothing kept
    assert seen["after"] == "session=abc123" and seen["jar_after"] == ["session"]
