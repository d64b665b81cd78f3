"""Liveness keys: a restarted worker takes over its crashed predecessor's jobs within seconds (not
the idle timeout), never a live worker's jobs, and dead or stopped consumers leave the group."""

from __future__ import annotations

import asyncio
import time

import psycopg
import redis.asyncio as aioredis

from tests.app.llm_emulator.process import EmulatorProcess

from .conftest import (
    GROUP,
    STREAM,
    drained,
    enqueue_problems,
    evaluation_count,
    verdicts,
    wait_for,
)

# The idle-timeout fallback is pushed out of the way: only the liveness keys can explain a takeover.
SLOW_FALLBACK = {"GUARDRAIL_IDLE_TIMEOUT_S": "60", "GUARDRAIL_LIVENESS_TTL_S": "1.5"}


async def _consumers(rds: aioredis.Redis) -> list[str]:
    return [row["name"] for row in await rds.xinfo_consumers(STREAM, GROUP)]


async def test_a_restarted_worker_reclaims_its_predecessors_jobs_within_seconds(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    llm.set_latency(distribution="fixed", median_ms=1500)
    before = llm.requests_total()
    first = start_worker("--concurrency", "5", **SLOW_FALLBACK)
    ids = await enqueue_problems(db, rds, 5)
    await wait_for(lambda: llm.stats()["in_flight"] == 5, timeout_s=10, what="five model calls in flight")

    first.kill9()
    killed_at = time.monotonic()
    await asyncio.sleep(2)
    second = start_worker("--concurrency", "5", **SLOW_FALLBACK)
    await wait_for(lambda: second.metric("guardrail_jobs_reclaimed_total") == 5, timeout_s=10,
                   what="the five jobs to be reclaimed")
    reclaim_s = time.monotonic() - killed_at
    await wait_for(lambda: evaluation_count(db) == 5, timeout_s=10, what="five verdicts")
    done_s = time.monotonic() - killed_at
    print(f"\nreclaimed 5 in-flight jobs {reclaim_s:.2f} s after kill -9 (new worker started at 2 s); "
          f"all verdicts at {done_s:.2f} s; idle timeout 60 s")
    await drained(rds)
    assert reclaim_s < 8, "taken over through the liveness key, long before the 60 s idle timeout"
    assert sorted(verdicts(db)) == sorted(ids)
    assert llm.requests_total() - before == 5 + 5, "each job sent once by the dead worker, once by the new one"
    assert second.metric("guardrail_evaluations_total") == 5
    assert second.metric("guardrail_duplicate_jobs_total") == 0
    consumer = (await rds.xinfo_consumers(STREAM, GROUP))
    assert len(consumer) == 1, f"the dead consumer is removed, only the new one is left: {consumer}"


async def test_a_live_workers_slow_jobs_are_never_taken_over(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    # Model calls (2.5 s) outlast the liveness TTL (1.5 s): only the refreshed key keeps them put.
    llm.set_latency(distribution="fixed", median_ms=2500)
    before = llm.requests_total()
    busy = start_worker("--concurrency", "4", **SLOW_FALLBACK)
    await enqueue_problems(db, rds, 4)
    await wait_for(lambda: llm.stats()["in_flight"] == 4, timeout_s=10, what="four model calls in flight")
    idle = start_worker("--concurrency", "4", **SLOW_FALLBACK)

    await wait_for(lambda: evaluation_count(db) == 4, timeout_s=15, what="four verdicts")
    await drained(rds)
    assert llm.requests_total() - before == 4, "no job ran twice"
    assert idle.metric("guardrail_jobs_reclaimed_total") == 0
    assert busy.metric("guardrail_evaluations_total") == 4
    assert len(await _consumers(rds)) == 2


async def test_stale_consumers_do_not_pile_up(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    # Four crashes and one clean stop (the issue counted 5 consumers after 4 restarts).
    for round_ in range(4):
        worker = start_worker(**SLOW_FALLBACK)
        await enqueue_problems(db, rds, 1, offset=round_)
        await wait_for(lambda: evaluation_count(db) == round_ + 1, timeout_s=10, what="the verdict")
        worker.kill9()
    last = start_worker(**SLOW_FALLBACK)
    await wait_for(lambda: _consumers(rds), timeout_s=5, what="the consumer to exist")
    await wait_for(lambda: _only_one(rds), timeout_s=10, what="the dead consumers to be removed")
    assert last.terminate() == 0
    assert await _consumers(rds) == [], "a clean stop removes its own consumer"
    assert [key async for key in rds.scan_iter(match=f"{STREAM}:{GROUP}:alive:*")] == []


async def _only_one(rds: aioredis.Redis) -> bool:
    return len(await _consumers(rds)) == 1


async def test_a_worker_stalled_past_its_ttl_gives_its_jobs_up_when_it_wakes(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    """A stall (SIGSTOP) looks like death to the others: a live worker takes the jobs over. The
    stalled one, woken before its model calls return, learns at its next touch (every TTL/3) that
    they are no longer its own and cancels them: one verdict each, stored by the new owner."""
    import signal

    llm.set_latency(distribution="fixed", median_ms=4000)  # under the tests' 5 s model timeout
    stalled = start_worker("--concurrency", "3", **SLOW_FALLBACK)
    ids = await enqueue_problems(db, rds, 3)
    await wait_for(lambda: llm.stats()["in_flight"] == 3, timeout_s=10, what="three model calls in flight")
    stalled.process.popen.send_signal(signal.SIGSTOP)
    try:
        other = start_worker("--concurrency", "3", **SLOW_FALLBACK)
        await wait_for(lambda: other.metric("guardrail_jobs_reclaimed_total") == 3, timeout_s=10,
                       what="the stalled worker's jobs to be taken over")
    finally:
        stalled.process.popen.send_signal(signal.SIGCONT)
    await wait_for(lambda: stalled.log().count("job.ownership_lost") == 3, timeout_s=5,
                   what="the woken worker to give up its three jobs")
    await wait_for(lambda: evaluation_count(db) == 3, timeout_s=15, what="three verdicts")
    await drained(rds)
    assert sorted(verdicts(db)) == sorted(ids)
    assert stalled.metric("guardrail_evaluations_total") == 0, "its model calls were cancelled before they returned"
    assert other.metric("guardrail_evaluations_total") == 3
