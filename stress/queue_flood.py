"""Stress test 3, queue flood (seed 8.5): problems submitted at a fixed arrival rate, each of which
enqueues one guardrail job; after the load the run waits for the queue to drain (bounded by the
goal, 10 min scaled by the profile), then reconciles every job. See queue_flood.yaml."""

from __future__ import annotations

from typing import Any

from scenarios.agents import agent_headers
from scenarios.metrics import ERRORS
from stress.post_run import drain_then_reconcile
from stress.writes import submit_problem

DRAIN_WITHIN_S = 600.0  # the seed's "all jobs processed within 10 minutes" (the plan's queue_drained goal)


def enqueue_job(vu: Any) -> None:
    """POST a problem: the API inserts it and XADDs its guardrail job."""
    vu.metrics.add(ERRORS, not submit_problem(vu, agent_headers(vu)))


def after_load(context: Any) -> None:
    drain_then_reconcile(context, drain_within_s=DRAIN_WITHIN_S)
