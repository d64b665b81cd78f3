"""Delivery guarantees: a killed worker's jobs are reclaimed and take effect once; jobs that keep
failing, or cannot be evaluated at all, go to the dead-letter stream and never block the queue."""

from __future__ import annotations

import psycopg
import redis.asyncio as aioredis

from app.worker.jobs import enqueue_guardrail_job
from tests.app.llm_emulator.process import EmulatorProcess

from .conftest import (
    DEAD_STREAM,
    GROUP,
    STREAM,
    distinct_problem,
    drained,
    evaluation_count,
    group_state,
    insert_problem,
    verdicts,
    wait_for,
)

FINAL = {"approved", "rejected", "needs_review"}


async def test_jobs_of_a_killed_worker_are_reclaimed_and_take_effect_once(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    # Model calls (1.5 s) outlast the idle timeout (1 s): only the keep-alive tells a live
    # worker's jobs from a dead one's.
    llm.set_latency(distribution="fixed", median_ms=1500)
    before = llm.requests_total()
    first = start_worker("--concurrency", "5")
    ids = [insert_problem(db, title=t, description=d) for t, d in map(distinct_problem, range(8))]
    for problem_id in ids:
        await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await wait_for(lambda: llm.stats()["in_flight"] == 5, timeout_s=10, what="five model calls in flight")

    first.kill9()       # mid-job: five jobs delivered, none committed
    assert evaluation_count(db) == 0
    assert (await group_state(rds))["pending"] == 5

    second = start_worker("--concurrency", "5")
    await wait_for(lambda: evaluation_count(db) == 8, timeout_s=20, what="all eight verdicts")
    await drained(rds)
    found = verdicts(db)
    assert sorted(found) == sorted(ids)
    assert all(row["status"] in FINAL and row["status"] == row["e_verdict"] for row in found.values())
    assert second.metric("guardrail_jobs_reclaimed_total") == 5
    assert llm.requests_total() - before == 5 + 8, "each job is sent to the model once per worker that ran it"
    assert second.metric("guardrail_evaluations_total") == 8


async def _deliver_to_dead_consumer(rds: aioredis.Redis, *, deliveries: int) -> str:
    """Give the oldest undelivered entry `deliveries` deliveries to a consumer that is gone, as
    repeated crashes would (XCLAIM's RETRYCOUNT sets the count, IDLE makes it look stalled)."""
    await rds.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    response = await rds.xreadgroup(GROUP, "crashed-consumer", {STREAM: ">"}, count=1)
    message_id = response[0][1][0][0]
    await rds.xclaim(STREAM, GROUP, "crashed-consumer", min_idle_time=0, message_ids=[message_id],
                     retrycount=deliveries, idle=60_000)
    return message_id


async def test_a_job_delivered_more_than_max_deliveries_is_dead_lettered(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    problem_id = insert_problem(db, title="Collapsed footbridge", description="The footbridge over the canal "
                                "collapsed in the flood and pupils now cross on a fallen tree.")
    job_id = await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    message_id = await _deliver_to_dead_consumer(rds, deliveries=5)
    before = llm.requests_total()

    worker = start_worker("--max-deliveries", "5")
    # The dead-letter counter moves last (after the verdict and the MULTI that acknowledges).
    await wait_for(lambda: worker.metric("guardrail_dead_letter_total", reason="max_deliveries") == 1,
                   timeout_s=15, what="the job to be dead-lettered")
    await drained(rds)
    row = verdicts(db)[problem_id]
    assert (row["tier"], row["reason"]) == ("dead_letter", "no verdict after 5 deliveries")
    dead = await rds.xrange(DEAD_STREAM)
    assert len(dead) == 1
    fields = dead[0][1]
    assert (fields["job_id"], fields["problem_id"], fields["original_id"], fields["deliveries"]) == \
        (job_id, str(problem_id), message_id, "6")
    assert fields["reason"] == "no verdict after 5 deliveries" and int(fields["dead_at_ms"]) > 0
    assert llm.requests_total() == before, "a dead-lettered job is not evaluated"
    assert worker.metric("guardrail_evaluations_total", outcome="needs_review", tier="dead_letter") == 1
    assert worker.metric("guardrail_dead_letter_length") == 1


async def test_a_job_delivered_exactly_max_deliveries_times_is_still_evaluated(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    problem_id = insert_problem(db, title="Silted irrigation canal", description="The main irrigation canal "
                                "has silted up and forty farms downstream get no water.")
    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await _deliver_to_dead_consumer(rds, deliveries=4)      # the worker's claim is the fifth

    worker = start_worker("--max-deliveries", "5")
    await wait_for(lambda: evaluation_count(db) == 1, timeout_s=15, what="the verdict")
    await drained(rds)
    assert verdicts(db)[problem_id]["tier"] == "llm"
    assert worker.metric("guardrail_jobs_reclaimed_total") == 1
    assert await rds.xlen(DEAD_STREAM) == 0


async def test_jobs_that_cannot_be_evaluated_are_dead_lettered_at_once(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker()
    await rds.xadd(STREAM, {"job_id": "bad-1", "problem_id": "not-a-number", "enqueued_at_ms": "1"})
    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=987654)     # no such problem
    good = insert_problem(db, title="Dry school taps", description="The taps at the primary school have "
                          "been dry for a month and children bring water from home.")
    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=good)

    await wait_for(lambda: evaluation_count(db) == 1, timeout_s=15, what="the good job's verdict")
    await wait_for(lambda: worker.metric("guardrail_dead_letter_total") == 2, timeout_s=5, what="two dead letters")
    await drained(rds)
    reasons = sorted(fields["reason"] for _, fields in await rds.xrange(DEAD_STREAM))
    assert len(reasons) == 2
    assert "problem_id must be a decimal integer" in reasons[0]
    assert reasons[1] == "problem 987654 does not exist"
    assert worker.metric("guardrail_dead_letter_total", reason="bad_job") == 1
    assert worker.metric("guardrail_dead_letter_total", reason="problem_missing") == 1
