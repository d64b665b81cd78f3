"""Stopping and surviving: SIGTERM drains in-flight jobs and leaves the rest queued; a drain that
runs out of time leaves jobs pending for another worker; a Valkey restart loses nothing."""

from __future__ import annotations

import asyncio
import time

import psycopg
import redis.asyncio as aioredis

from harness.stack.valkey import EmbeddedValkey
from tests.app.llm_emulator.process import EmulatorProcess

from .conftest import (
    STREAM,
    drained,
    enqueue_problems,
    evaluation_count,
    group_state,
    verdicts,
    wait_for,
)


async def test_sigterm_finishes_in_flight_jobs_and_leaves_the_rest_queued(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    llm.set_latency(distribution="fixed", median_ms=1000)
    worker = start_worker("--concurrency", "3")
    await enqueue_problems(db, rds, 6)
    await wait_for(lambda: llm.stats()["in_flight"] == 3, timeout_s=10, what="three model calls in flight")

    # The queue gauges, read while the worker is busy.
    assert worker.metric("guardrail_pending_jobs") == 3
    assert worker.metric("guardrail_waiting_jobs") == 3
    assert worker.metric("guardrail_queue_length") == 6, "XLEN: every unfinished job"
    assert worker.metric("guardrail_jobs_in_flight") == 3
    assert worker.metric("guardrail_oldest_pending_age_seconds") > 0

    started = time.monotonic()
    assert worker.terminate(timeout_s=20) == 0
    assert time.monotonic() - started < 5, "the drain waits for the in-flight calls, not for the queue"
    assert evaluation_count(db) == 3, "in-flight jobs were finished and committed"
    group = await group_state(rds)
    assert (group["pending"], group["lag"]) == (0, 3), "finished jobs acked; the rest never read"
    assert await rds.xlen(STREAM) == 3

    llm.set_latency(distribution="fixed", median_ms=20)
    start_worker()
    await wait_for(lambda: evaluation_count(db) == 6, timeout_s=15, what="the queued jobs")


async def test_a_drain_that_runs_out_of_time_leaves_jobs_for_another_worker(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    llm.set_latency(distribution="fixed", median_ms=5000)
    worker = start_worker("--concurrency", "2", WORKER_DRAIN_TIMEOUT_S="0.5")
    await enqueue_problems(db, rds, 2)
    await wait_for(lambda: llm.stats()["in_flight"] == 2, timeout_s=10, what="two model calls in flight")

    started = time.monotonic()
    assert worker.terminate(timeout_s=20) == 0
    assert time.monotonic() - started < 3, "the drain is bounded by its timeout"
    assert evaluation_count(db) == 0
    assert (await group_state(rds))["pending"] == 2, "unfinished jobs stay pending, not lost"

    llm.set_latency(distribution="fixed", median_ms=20)
    successor = start_worker()
    await wait_for(lambda: evaluation_count(db) == 2, timeout_s=15, what="the abandoned jobs")
    await drained(rds)
    assert successor.metric("guardrail_jobs_reclaimed_total") == 2


async def test_a_valkey_restart_mid_queue_loses_no_job(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker,
        valkey: EmbeddedValkey) -> None:
    llm.set_latency(distribution="fixed", median_ms=300)
    worker = start_worker("--concurrency", "2")
    ids = await enqueue_problems(db, rds, 12)
    await wait_for(lambda: evaluation_count(db) >= 2, timeout_s=10, what="the first verdicts")

    # Down for two seconds (longer than the client's own retries), then back on the same port
    # and data dir: the AOF replays the stream, the group and its pending entries.
    valkey.stop()
    await asyncio.sleep(2)
    valkey.start()
    assert evaluation_count(db) < 12, "the restart must happen with jobs still queued"
    await wait_for(lambda: evaluation_count(db) == 12, timeout_s=40, what="every job after the restart")
    await rds.connection_pool.disconnect()      # the test's own connections died with the server
    await drained(rds)
    assert worker.process.is_running(), "the worker reconnected by itself"
    assert sorted(verdicts(db)) == sorted(ids)
    assert worker.health_status() == 200
    assert worker.metric("guardrail_redis_errors_total") > 0, "the outage was seen, and survived"
