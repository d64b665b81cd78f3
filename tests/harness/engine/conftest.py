"""A real HTTP server on 127.0.0.1 for the engine's end-to-end tests: the benchmarks' counting
aiohttp app, run in a thread of the test process (the engine itself runs in subprocesses)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from harness.samplers.prometheus import parse_metrics_text, request_count, scrape

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "harness" / "fixtures"


def _load_app_module():
    spec = importlib.util.spec_from_file_location("engine_count_server", ROOT / "benchmarks" / "engine_count_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class CountingServer:
    url: str

    def count(self, path: str | None = None) -> int:
        return int(request_count(scrape(self.url + "/metrics"), path=path) or 0)


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """An aiohttp app on a free 127.0.0.1 port, in a thread of the test process; its base URL."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder = {}

    async def start():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        holder["runner"] = runner
        holder["port"] = site._server.sockets[0].getsockname()[1]

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield f"http://127.0.0.1:{holder['port']}"
    finally:
        asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@pytest.fixture
def server():
    with serving(_load_app_module().create_app()) as url:
        yield CountingServer(url)


def bwperf(*args: str, timeout_s: float = 90.0, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bwperf", "run", *args, "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout_s, **popen)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


__all__ = ["FIXTURES", "bwperf", "free_port", "parse_metrics_text", "serving"]
