"""The guardrail worker: consumes `guardrail:jobs`, decides each problem in tiers (pre-filter,
cache, model), commits the verdict, then acknowledges. `python -m app worker`."""

from .jobs import DEFAULT_DEAD_STREAM, DEFAULT_GROUP, DEFAULT_STREAM, GuardrailJob, enqueue_guardrail_job, job_fields

__all__ = ["DEFAULT_DEAD_STREAM", "DEFAULT_GROUP", "DEFAULT_STREAM", "GuardrailJob", "enqueue_guardrail_job",
           "job_fields"]
