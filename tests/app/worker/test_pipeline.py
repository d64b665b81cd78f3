"""End to end through a real worker process: every tier decides, only the model costs, a job
for a decided problem takes effect once, and the metrics say what happened."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import redis.asyncio as aioredis

from app.llm_emulator.verdicts import decide
from app.worker.evaluation import STATUS_OF_VERDICT, model_content
from app.worker.jobs import enqueue_guardrail_job
from app.worker.settings import DEFAULT_MODEL
from app.worker.store import ProblemRecord
from tests.app.llm_emulator.process import EmulatorProcess

from .conftest import (
    STREAM,
    drained,
    evaluation_count,
    insert_problem,
    verdicts,
    wait_for,
)

WATER_REPORT = ("According to the 2024 district survey, 1,200 households in the northern villages lack safe "
                "drinking water; children walk two hours a day to fetch water from a contaminated river, and "
                "cases of diarrhoea reported by the health post have doubled since last year.")


def expected_llm_status(title: str, description: str) -> str:
    """The status the emulator's deterministic verdict leads to, for the text the worker sends."""
    problem = ProblemRecord(id=0, title=title, description=description, domain="environment",
                            severity="medium", evaluated=False)
    verdict, _ = decide(f"<problem>\n{model_content(problem)}\n</problem>")
    return STATUS_OF_VERDICT[verdict]


async def test_each_tier_decides_and_only_model_calls_cost(db: psycopg.Connection, rds: aioredis.Redis,
                                                           llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker()
    before = llm.requests_total()
    texts = {
        "spam": ("Cheap pills", "Buy now and click here for the best prices in town"),
        "report": ("No safe drinking water", WATER_REPORT),
        "rumour": ("Poisoned well", "An unverified rumour says the village well was poisoned last week."),
        "fraud": ("Charity concern", "The local charity is a fraud that keeps the donations for itself."),
        "first": ("Load test problem 1732000000001", "Synthetic problem created 2026-11-26T01:00:00Z by the load test"),
    }
    ids = {name: insert_problem(db, title=t, description=d) for name, (t, d) in texts.items()}
    for problem_id in ids.values():
        await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await wait_for(lambda: evaluation_count(db) == 5, timeout_s=15, what="five verdicts")
    # A variant of "first" differing only in numbers and time: enqueued after the first verdict
    # is cached, it must not reach the model.
    ids["variant"] = insert_problem(db, title="Load test problem 1732000000987",
                                    description="Synthetic problem created 2026-11-26T01:00:09Z by the load test")
    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=ids["variant"])
    await wait_for(lambda: evaluation_count(db) == 6, timeout_s=15, what="the sixth verdict")
    await drained(rds)      # acknowledged entries are deleted: the stream holds only unfinished work

    found = {name: verdicts(db)[problem_id] for name, problem_id in ids.items()}
    assert (found["spam"]["status"], found["spam"]["tier"]) == ("rejected", "prefilter")
    assert (found["report"]["status"], found["report"]["tier"]) == ("approved", "prefilter")
    assert (found["rumour"]["status"], found["rumour"]["tier"]) == ("needs_review", "llm")
    assert (found["fraud"]["status"], found["fraud"]["tier"]) == ("rejected", "llm")
    assert found["first"]["tier"] == "llm"
    assert found["first"]["status"] == expected_llm_status(*texts["first"])
    assert (found["variant"]["status"], found["variant"]["tier"]) == (found["first"]["status"], "cache")
    assert all(row["status"] == row["e_verdict"] and row["tier"] == row["e_tier"] for row in found.values())
    assert llm.requests_total() - before == 3, "pre-filter and cache hits must not call the model"

    model_rows = [found[name] for name in ("rumour", "fraud", "first")]
    for row in model_rows:
        assert row["model"] == DEFAULT_MODEL and row["input_tokens"] > 0 and row["output_tokens"] > 0
        assert row["cost_usd"] == (Decimal(row["input_tokens"]) * 1 + Decimal(row["output_tokens"]) * 5) / 1_000_000
        assert row["llm_duration_ms"] >= 20
    for name in ("spam", "report", "variant"):
        assert (found[name]["input_tokens"], found[name]["cost_usd"], found[name]["model"]) == (0, 0, None)

    assert worker.metric("guardrail_evaluations_total", tier="prefilter") == 2
    assert worker.metric("guardrail_evaluations_total", tier="cache") == 1
    assert worker.metric("guardrail_evaluations_total", tier="llm") == 3
    assert worker.metric("guardrail_evaluations_total", outcome="needs_review", tier="llm") == 1
    assert worker.metric("guardrail_cache_lookups_total", result="hit") == 1
    assert worker.metric("guardrail_llm_calls_total", result="ok") == 3
    assert worker.metric("guardrail_llm_tokens_total", direction="input", model=DEFAULT_MODEL) == \
        sum(row["input_tokens"] for row in model_rows)
    assert abs(worker.metric("guardrail_llm_cost_usd_total", model=DEFAULT_MODEL)
               - float(sum(row["cost_usd"] for row in model_rows))) < 1e-9
    assert worker.metric("guardrail_evaluation_duration_seconds_count") == 6
    assert worker.metric("guardrail_llm_call_duration_seconds_count") == 3
    assert worker.metric("process_resident_memory_bytes") > 0
    for gauge in ("guardrail_queue_length", "guardrail_waiting_jobs", "guardrail_pending_jobs",
                  "guardrail_oldest_pending_age_seconds"):
        assert worker.metric(gauge) == 0, gauge


async def test_a_second_job_for_a_decided_problem_takes_no_effect(db: psycopg.Connection, rds: aioredis.Redis,
                                                                  llm: EmulatorProcess, start_worker) -> None:
    worker = start_worker()
    problem_id = insert_problem(db, title="Broken streetlights", description="Half the streetlights on the "
                                "harbour road have been dark since the storm.")
    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await wait_for(lambda: evaluation_count(db) == 1, timeout_s=15, what="the verdict")
    first = verdicts(db)[problem_id]
    before = llm.requests_total()

    await enqueue_guardrail_job(rds, stream=STREAM, problem_id=problem_id)
    await drained(rds)
    assert worker.metric("guardrail_duplicate_jobs_total") == 1
    assert evaluation_count(db) == 1
    assert verdicts(db)[problem_id] == first
    assert llm.requests_total() == before


async def test_health_and_metrics_are_served_on_the_metrics_port(db: psycopg.Connection, start_worker) -> None:
    worker = start_worker("--concurrency", "3")
    assert worker.health_status() == 200
    text = worker.metrics_text()
    for name in ("guardrail_evaluation_duration_seconds", "guardrail_llm_call_duration_seconds",
                 "guardrail_evaluations_total", "guardrail_queue_length", "guardrail_pending_jobs",
                 "guardrail_oldest_pending_age_seconds", "guardrail_dead_letter_total",
                 "guardrail_llm_tokens_total", "guardrail_llm_cost_usd_total", "process_resident_memory_bytes"):
        assert f"# TYPE {name} " in text, name
    # Series alerts read exist at zero before anything happens.
    assert 'guardrail_dead_letter_total{reason="max_deliveries"} 0.0' in text
