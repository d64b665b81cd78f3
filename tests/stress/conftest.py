"""An API-only stack (no worker: queued jobs stay queued, so the tests decide their fate) on the
session's PostgreSQL and Valkey, started by command like `bwperf up` does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.platform_client import PlatformClient, PlatformError

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def api_only(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "RATE_LIMIT_PROFILE": "loadtest",
           "API_PORT": str(port), "PORT": str(port), "EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
           "JWT_SECRET": "x" * 48, "API_KEY_PEPPER": "y" * 48}
    process = subprocess.Popen([sys.executable, "-m", "app", "api"], cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        with PlatformClient(url, connect_timeout_s=1, read_timeout_s=1) as client:
            while time.monotonic() < deadline:
                try:
                    if client.health().status == 200:
                        break
                except PlatformError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("the API did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
