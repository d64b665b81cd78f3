"""A load run's embedded broker starts empty: a backlog left by an earlier run in the same home
would otherwise delay every verdict of the new run (and its guardrail latency with it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from harness.stack import start_stack


@pytest.fixture
def no_external_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)


def _stale_job(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.xadd("guardrail:jobs", {"job_id": "stale", "problem_id": "1", "enqueued_at_ms": "0"})
    client.close()


def _keys(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.dbsize())
    finally:
        client.close()


def test_fresh_queue_empties_the_embedded_broker_and_says_how_much(tmp_path: Path, no_external_servers) -> None:
    assert "REDIS_URL" not in os.environ
    with start_stack(home=tmp_path, api_port=None, services=[]) as stack:
        _stale_job(stack.redis_url)
    with start_stack(home=tmp_path, api_port=None, services=[]) as stack:
        assert _keys(stack.redis_url) == 1  # an ordinary start (bwperf up) keeps what AOF restored
        assert stack.dropped_stale_keys == 0
    with start_stack(home=tmp_path, api_port=None, services=[], fresh_queue=True) as stack:
        assert _keys(stack.redis_url) == 0
        assert stack.dropped_stale_keys == 1
