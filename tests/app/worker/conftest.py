"""Fixtures for end-to-end worker tests: a real emulator process, real worker processes, the
session's PostgreSQL and Valkey. Problems are inserted with SQL and jobs enqueued with the
producer in `app.worker.jobs`, so nothing here depends on the API."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families

from harness.stack.processes import (
    ManagedProcess,
    child_env,
    free_port,
    spawn,
    wait_until,
)
from tests.app.llm_emulator.process import EmulatorProcess

STREAM = "guardrail:jobs"
GROUP = "guardrail-workers"
DEAD_STREAM = "guardrail:dead"
TEST_LATENCY_MS = 20
_WORDS = ("amber", "birch", "cedar", "delta", "ember", "fjord", "glade", "heath", "inlet", "juniper", "kestrel",
          "lagoon", "meadow", "nectar", "orchid", "prairie", "quarry", "ridge", "savanna", "tundra", "upland",
          "valley", "willow", "yarrow", "zephyr")


@dataclass
class WorkerProcess:
    process: ManagedProcess
    metrics_port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}"

    def health_status(self) -> int | None:
        try:
            with urllib.request.urlopen(self.base_url + "/health", timeout=1) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return None

    def metrics_text(self) -> str:
        with urllib.request.urlopen(self.base_url + "/metrics", timeout=5) as response:
            return response.read().decode()

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called `name` whose labels include `labels`."""
        total = 0.0
        for family in text_string_to_metric_families(self.metrics_text()):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    total += sample.value
        return total

    def terminate(self, *, timeout_s: float = 30) -> int:
        self.process.popen.send_signal(signal.SIGTERM)
        return self.process.popen.wait(timeout=timeout_s)

    def kill9(self) -> None:
        self.process.popen.kill()
        self.process.popen.wait(timeout=10)

    def log(self) -> str:
        return self.process.log_tail(60)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    process = EmulatorProcess.start(log_dir=tmp_path_factory.mktemp("emulator"),
                                    args=["--latency", "fixed", "--latency-median-ms", str(TEST_LATENCY_MS)])
    yield process
    process.stop()


@pytest.fixture
def llm(emulator: EmulatorProcess) -> EmulatorProcess:
    """The emulator with no faults and the test latency, whatever the previous test left."""
    emulator.reset_faults()
    emulator.set_latency(distribution="fixed", median_ms=TEST_LATENCY_MS)
    return emulator


@pytest.fixture
def worker_env(app_env: dict[str, str], llm: EmulatorProcess) -> dict[str, str]:
    return {
        **app_env,
        "ANTHROPIC_BASE_URL": llm.url,
        "ANTHROPIC_API_KEY": "test-key",
        "GUARDRAIL_IDLE_TIMEOUT_S": "1",
        "GUARDRAIL_READ_BLOCK_MS": "200",
        "GUARDRAIL_LLM_TIMEOUT_S": "5",
        "GUARDRAIL_LLM_MAX_RETRIES": "2",
        "WORKER_DRAIN_TIMEOUT_S": "10",
    }


@pytest.fixture
def start_worker(worker_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*args: str, wait_ready: bool = True, **env: str) -> WorkerProcess:
        port = free_port()
        process = spawn("worker", [sys.executable, "-m", "app", "worker", *args],
                        log_path=tmp_path / f"worker-{len(started)}.log",
                        env=child_env({**worker_env, "WORKER_METRICS_PORT": str(port), **env}))
        worker = WorkerProcess(process, port)
        started.append(worker)
        if wait_ready:
            wait_until(lambda: worker.health_status() == 200, process=process, timeout_s=30, what="healthy")
        return worker

    yield start
    for worker in started:
        if worker.process.is_running():
            worker.process.popen.kill()
            worker.process.popen.wait(timeout=10)


@pytest.fixture
def db(clean_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(clean_db, autocommit=True) as conn:
        yield conn


@pytest.fixture
async def rds(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


def distinct_problem(index: int) -> tuple[str, str]:
    """A title and description no other index shares after normalisation (digits do not count)."""
    first, second = _WORDS[index % len(_WORDS)], _WORDS[(index // len(_WORDS)) % len(_WORDS)]
    return (f"Blocked drainage near {first} {second} lane",
            f"Storm drains along the {first} {second} lane have been blocked since spring; water pools "
            f"in front of the school after every rain.")


def insert_problem(conn: psycopg.Connection, *, title: str, description: str, domain: str = "environment",
                   severity: str = "medium") -> int:
    row = conn.execute("INSERT INTO problems (title, description, domain, severity) VALUES (%s, %s, %s, %s) "
                       "RETURNING id", (title, description, domain, severity)).fetchone()
    assert row is not None
    return int(row[0])


async def enqueue_problems(db: psycopg.Connection, rds: aioredis.Redis, count: int, *, offset: int = 0) -> list[int]:
    """`count` distinct problems stored and their guardrail jobs queued; their ids."""
    from app.worker.jobs import enqueue_guardrail_job

    ids = [insert_problem(db, title=t, description=d) for t, d in map(distinct_problem, range(offset, offset + count))]
    for problem_id in ids:
        await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    return ids


def verdicts(conn: psycopg.Connection) -> dict[int, dict[str, Any]]:
    """problem id -> its status, tier, reason and (if any) evaluation row, for every problem."""
    rows = conn.execute(
        "SELECT p.id, p.status, p.guardrail_tier, p.guardrail_reason, e.verdict, e.tier, e.input_tokens, "
        "e.output_tokens, e.cost_usd, e.model, e.llm_duration_ms FROM problems p "
        "LEFT JOIN guardrail_evaluations e ON e.problem_id = p.id ORDER BY p.id").fetchall()
    keys = ("status", "tier", "reason", "e_verdict", "e_tier", "input_tokens", "output_tokens", "cost_usd",
            "model", "llm_duration_ms")
    return {row[0]: dict(zip(keys, row[1:])) for row in rows}


def evaluation_count(conn: psycopg.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM guardrail_evaluations").fetchone()[0])  # type: ignore[index]


async def wait_for(predicate: Callable[[], Any], *, timeout_s: float, what: str,
                   interval_s: float = 0.05) -> Any:
    """Poll `predicate` (sync or async) until truthy; fail naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(interval_s)


async def group_state(rds: aioredis.Redis) -> dict[str, Any]:
    groups = await rds.xinfo_groups(STREAM)
    return next(g for g in groups if g["name"] == GROUP)


async def drained(rds: aioredis.Redis, *, timeout_s: float = 10) -> None:
    """Wait until every job is acknowledged. The worker counts a verdict in its metrics before it
    acknowledges the job, so after this the metrics include every committed verdict."""
    async def done() -> bool:
        return (await group_state(rds))["pending"] == 0 and await rds.xlen(STREAM) == 0
    await wait_for(done, timeout_s=timeout_s, what="every job to be acknowledged")


def run_worker_once(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m app worker` expecting it to exit by itself (configuration errors)."""
    # `env` is complete (app_env copies os.environ), so a test can remove variables from it.
    return subprocess.run([sys.executable, "-m", "app", "worker", *args], env=dict(env),
                          capture_output=True, text=True, timeout=60, cwd=os.getcwd())
