"""The guardrail job: what the API puts on the stream and what the worker reads back.

The contract between producer (the API) and consumer (the worker):

- stream `guardrail:jobs` (Settings.guardrail_stream), one entry per job, fields
  `job_id` (uuid4 hex), `problem_id` (decimal string), `enqueued_at_ms` (epoch milliseconds);
- consumer group `guardrail-workers`, created by the worker with MKSTREAM;
- a job the worker cannot finish after `max_deliveries` deliveries is copied to the dead-letter
  stream `guardrail:dead` with its original fields plus `original_id`, `deliveries`, `reason`
  and `dead_at_ms`.

Producers call `enqueue_guardrail_job` after committing the problem row, so a job never points at
a row the worker cannot see.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

DEFAULT_STREAM = "guardrail:jobs"
DEFAULT_GROUP = "guardrail-workers"
DEFAULT_DEAD_STREAM = "guardrail:dead"

FIELD_JOB_ID = "job_id"
FIELD_PROBLEM_ID = "problem_id"
FIELD_ENQUEUED_AT_MS = "enqueued_at_ms"


class JobFormatError(ValueError):
    """A stream entry is not a valid guardrail job; the message names the field."""


@dataclass(frozen=True)
class GuardrailJob:
    """One delivery of a job: the stream entry id and how many times it has been delivered."""

    message_id: str
    job_id: str
    problem_id: int
    enqueued_at_ms: int
    deliveries: int = 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def job_fields(*, problem_id: int, job_id: str | None = None, enqueued_at_ms: int | None = None) -> dict[str, str]:
    """The stream fields of a new job (for producers that XADD themselves, e.g. in a pipeline)."""
    if problem_id <= 0:
        raise ValueError(f"problem_id must be > 0, but is {problem_id}")
    return {
        FIELD_JOB_ID: job_id or uuid.uuid4().hex,
        FIELD_PROBLEM_ID: str(int(problem_id)),
        FIELD_ENQUEUED_AT_MS: str(enqueued_at_ms if enqueued_at_ms is not None else now_ms()),
    }


async def enqueue_guardrail_job(redis: Any, *, stream: str = DEFAULT_STREAM, problem_id: int) -> str:
    """XADD a job for `problem_id` to `stream` with a `redis.asyncio` client; returns the job id."""
    fields = job_fields(problem_id=problem_id)
    await redis.xadd(stream, fields)
    return fields[FIELD_JOB_ID]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def parse_job(message_id: Any, fields: Mapping[Any, Any], *, deliveries: int = 1) -> GuardrailJob:
    """Read a stream entry (bytes or str keys) into a job; JobFormatError names what is wrong."""
    data = {_text(key): _text(value) for key, value in fields.items()}
    missing = [name for name in (FIELD_JOB_ID, FIELD_PROBLEM_ID) if not data.get(name)]
    if missing:
        raise JobFormatError(f"job {_text(message_id)} lacks field(s) {', '.join(missing)}")
    try:
        problem_id = int(data[FIELD_PROBLEM_ID])
    except ValueError:
        raise JobFormatError(
            f"job {_text(message_id)}: problem_id must be a decimal integer, but is {data[FIELD_PROBLEM_ID]!r}"
        ) from None
    if problem_id <= 0:
        raise JobFormatError(f"job {_text(message_id)}: problem_id must be > 0, but is {problem_id}")
    return GuardrailJob(
        message_id=_text(message_id),
        job_id=data[FIELD_JOB_ID],
        problem_id=problem_id,
        enqueued_at_ms=_enqueued_at_ms(message_id, data),
        deliveries=deliveries,
    )


def _enqueued_at_ms(message_id: Any, data: Mapping[str, str]) -> int:
    # A producer that omits the field still gave us a time: the entry id's first part is the
    # XADD time in milliseconds.
    raw = data.get(FIELD_ENQUEUED_AT_MS, "")
    if raw.isdigit():
        return int(raw)
    return stream_id_ms(message_id)


def stream_id_ms(message_id: Any) -> int:
    """The millisecond timestamp of a stream entry id such as `1732612345678-0`."""
    return int(_text(message_id).split("-", 1)[0])
