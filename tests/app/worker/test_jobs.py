"""The job contract shared with the API: field names, the producer, and strict parsing."""

from __future__ import annotations

import re

import pytest
import redis.asyncio as aioredis

from app.worker.jobs import JobFormatError, enqueue_guardrail_job, job_fields, parse_job


async def test_the_producer_adds_one_entry_with_the_contract_fields(clean_db: str, redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        job_id = await enqueue_guardrail_job(client, stream="guardrail:jobs", problem_id=42)
        ((message_id, fields),) = await client.xrange("guardrail:jobs")
    finally:
        await client.aclose()
    assert set(fields) == {"job_id", "problem_id", "enqueued_at_ms"}
    assert (fields["job_id"], fields["problem_id"]) == (job_id, "42")
    assert len(job_id) == 32 and int(job_id, 16) >= 0
    job = parse_job(message_id, fields)
    assert (job.problem_id, job.job_id, job.deliveries) == (42, job_id, 1)
    assert abs(job.enqueued_at_ms - int(message_id.split("-")[0])) < 1000


def test_bytes_fields_from_a_client_without_decoding_are_read() -> None:
    job = parse_job(b"1700000000000-0", {b"job_id": b"abc", b"problem_id": b"7"}, deliveries=3)
    assert (job.message_id, job.problem_id, job.deliveries) == ("1700000000000-0", 7, 3)
    assert job.enqueued_at_ms == 1_700_000_000_000, "without the field, the entry id's time is used"


@pytest.mark.parametrize(("fields", "problem"), [
    ({"problem_id": "7"}, "lacks field(s) job_id"),
    ({"job_id": "a", "problem_id": "seven"}, "problem_id must be a decimal integer, but is 'seven'"),
    ({"job_id": "a", "problem_id": "0"}, "problem_id must be > 0, but is 0"),
])
def test_invalid_entries_are_refused_with_the_field_named(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(JobFormatError, match=re.escape(problem)):
        parse_job("1-0", fields)


def test_job_fields_refuse_a_non_positive_problem_id() -> None:
    with pytest.raises(ValueError, match="problem_id must be > 0"):
        job_fields(problem_id=0)
