"""Producer side of the guardrail job stream (the worker consumes it with a consumer group).

Contract with the worker: stream `Settings.guardrail_stream` (`guardrail:jobs`); each entry has
the fields `job_id` (uuid4 hex), `problem_id` (decimal string) and `enqueued_at_ms` (epoch
milliseconds, decimal string). The stream is never trimmed here: trimming could drop jobs that no
consumer has read yet.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError


class EnqueueFailed(Exception):
    """The job could not be appended; the caller decides what happens to the problem."""


@dataclass(frozen=True)
class GuardrailJob:
    job_id: str
    problem_id: int
    enqueued_at_ms: int

    def fields(self) -> dict[str, str]:
        return {
            "job_id": self.job_id,
            "problem_id": str(self.problem_id),
            "enqueued_at_ms": str(self.enqueued_at_ms),
        }


async def enqueue_guardrail_job(redis: Redis, stream: str, problem_id: int) -> GuardrailJob:
    job = GuardrailJob(uuid.uuid4().hex, problem_id, int(time.time() * 1000))
    try:
        await redis.xadd(stream, job.fields())  # no maxlen/minid: never trim
    except (RedisError, OSError, asyncio.TimeoutError) as exc:
        raise EnqueueFailed(repr(exc)) from exc
    return job


async def queue_length(redis: Redis, stream: str, *, timeout_s: float) -> int:
    """XLEN of the stream (0 if it does not exist yet); raises on timeout or Redis failure."""
    return int(await asyncio.wait_for(redis.xlen(stream), timeout_s))
