"""Shared fixtures: real embedded PostgreSQL and Valkey servers, one of each per test session.

Tests talk to them over real connections; each test that needs a clean slate truncates what it
uses (see `clean_db`), so the servers start once (< 1 s each) and are stopped at the end.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.stack.postgres import EmbeddedPostgres  # noqa: E402
from harness.stack.valkey import EmbeddedValkey  # noqa: E402


@contextmanager
def own_platform(home: Path, *, seed_problems: int = 200, seed_missions: int = 500) -> Iterator[Any]:
    """A whole embedded stack (loadtest limits) of the caller's own, on its own servers: the
    session's DATABASE_URL / REDIS_URL are set aside while it starts."""
    from harness.stack import start_stack

    saved = {k: os.environ.pop(k) for k in ("DATABASE_URL", "REDIS_URL") if k in os.environ}
    try:
        with start_stack(home=home / ".bwperf", api_port=None, rate_limit_profile="loadtest",
                         seed_problems=seed_problems, seed_missions=seed_missions) as stack:
            yield stack
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="session")
def stack_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def pg(stack_home: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(data_dir=stack_home / "postgres")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(pg: EmbeddedPostgres) -> str:
    from app.migrate import apply_migrations

    apply_migrations(pg.url)
    return pg.url


@pytest.fixture(scope="session")
def valkey(stack_home: Path) -> Iterator[EmbeddedValkey]:
    server = EmbeddedValkey(data_dir=stack_home / "valkey")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(valkey: EmbeddedValkey) -> str:
    return valkey.url


@pytest.fixture
def clean_db(database_url: str, redis_url: str) -> str:
    """Empty every table and the Redis database before the test."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE guardrail_evaluations, evidence, problems, missions, agents, users "
            "RESTART IDENTITY CASCADE"
        )
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return database_url


@pytest.fixture
def app_env(database_url: str, redis_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a platform process pointed at the session's servers."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789",
        "API_KEY_PEPPER": "test-pepper-0123456789",
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright, one per test module (no browser download);
    the module is skipped where Chromium is not installed (.ci/run installs it)."""
    from tests.dashboards.browser import CHROMIUM, chromium

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs it)")
    with chromium() as launched:
        yield launched
