"""The model misbehaving, caused for real by the emulator: rate-limit and overload storms, hangs
past the client timeout, malformed answers. Each ends in bounded retries, then `needs_review`;
no job is lost and nothing is approved by default."""

from __future__ import annotations

import psycopg
import pytest
import redis.asyncio as aioredis

from app.worker.jobs import enqueue_guardrail_job
from tests.app.llm_emulator.process import EmulatorProcess

from .conftest import (
    STREAM,
    distinct_problem,
    drained,
    insert_problem,
    verdicts,
    wait_for,
)


async def _evaluate(db: psycopg.Connection, rds: aioredis.Redis, indexes: range) -> list[int]:
    ids = [insert_problem(db, title=t, description=d) for t, d in map(distinct_problem, indexes)]
    for problem_id in ids:
        await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await wait_for(lambda: all(verdicts(db)[i]["e_verdict"] for i in ids), timeout_s=20,
                   what=f"{len(ids)} verdicts")
    await drained(rds)
    return ids


@pytest.mark.parametrize(("fault", "status", "error"), [("rate_429", "429", "RateLimitError"),
                                                        ("rate_529", "529", "OverloadedError")])
async def test_an_error_storm_ends_in_sdk_retries_then_needs_review(
        fault: str, status: str, error: str, db: psycopg.Connection, rds: aioredis.Redis,
        llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker(GUARDRAIL_LLM_MAX_RETRIES="2")
    before = llm.stats()["by_status"].get(status, 0)
    llm.set_faults(**{fault: 1.0, "retry_after_s": 0.05})      # the storm starts mid-run

    ids = await _evaluate(db, rds, range(3))
    for problem_id in ids:
        row = verdicts(db)[problem_id]
        assert (row["status"], row["tier"]) == ("needs_review", "llm")
        assert row["reason"].startswith(f"llm unavailable: {error}")
        assert (row["input_tokens"], row["cost_usd"]) == (0, 0), "failed requests are not billed"
    assert llm.stats()["by_status"][status] - before == 3 * (1 + 2), "one request and two SDK retries per job"
    assert worker.metric("guardrail_llm_calls_total", result="error") == 3
    assert worker.metric("guardrail_evaluations_total", outcome="needs_review", tier="llm") == 3

    llm.reset_faults()      # the storm ends: the next job gets a model verdict again
    (after,) = await _evaluate(db, rds, range(3, 4))
    assert not verdicts(db)[after]["reason"].startswith("llm unavailable")


async def test_a_model_hanging_past_the_client_timeout_ends_in_needs_review(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker(GUARDRAIL_LLM_TIMEOUT_S="0.3", GUARDRAIL_LLM_MAX_RETRIES="1")
    llm.set_faults(rate_timeout=1.0, hang_s=1.0)
    before = llm.requests_total()

    (problem_id,) = await _evaluate(db, rds, range(1))
    row = verdicts(db)[problem_id]
    assert (row["status"], row["tier"]) == ("needs_review", "llm")
    assert row["reason"].startswith("llm unavailable: APITimeoutError")
    assert llm.requests_total() - before == 2
    assert worker.metric("guardrail_llm_calls_total", result="error") == 1


async def test_malformed_answers_are_asked_again_then_need_review(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker(GUARDRAIL_LLM_PARSE_ATTEMPTS="3")
    llm.set_faults(rate_malformed=1.0)
    before = llm.requests_total()

    (problem_id,) = await _evaluate(db, rds, range(1))
    row = verdicts(db)[problem_id]
    assert (row["status"], row["tier"]) == ("needs_review", "llm")
    assert row["reason"].startswith("malformed model output after 3 attempt(s)")
    assert llm.requests_total() - before == 3
    assert row["input_tokens"] > 0 and row["cost_usd"] > 0, "malformed answers are still billed"
    assert worker.metric("guardrail_llm_calls_total", result="malformed") == 3
    assert worker.metric("guardrail_cache_lookups_total", result="miss") == 1


async def test_one_malformed_answer_is_followed_by_a_good_one(
        db: psycopg.Connection, rds: aioredis.Redis, llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker()
    llm.set_faults(rate_malformed=1.0, max_faults=1)
    before = llm.requests_total()

    (problem_id,) = await _evaluate(db, rds, range(1))
    row = verdicts(db)[problem_id]
    assert row["tier"] == "llm" and not row["reason"].startswith("malformed")
    assert llm.requests_total() - before == 2
    assert worker.metric("guardrail_llm_calls_total", result="malformed") == 1
    assert worker.metric("guardrail_llm_calls_total", result="ok") == 1
    # Both answers were billed and both are in the stored cost.
    assert worker.metric("guardrail_llm_tokens_total", direction="input") == row["input_tokens"]
