"""Stress test 2, database saturation (seed 8.5): readers reuse the baseline's browse and geo
search behaviours (scenarios.baseline, 0.1 s think time as in the seed); writers submit problems
that the ledger records. See db_saturation.yaml."""

from __future__ import annotations

import time
from typing import Any

from scenarios.agents import agent_headers
from scenarios.baseline import THINK_TIME_S, browse_problems, search_missions
from scenarios.metrics import ERRORS
from stress.post_run import drain_then_reconcile
from stress.writes import submit_problem

__all__ = ["ERRORS", "after_load", "browse_problems", "search_missions", "write_problem"]


def write_problem(vu: Any) -> None:
    """One INSERT (and enqueue) through the API, recorded in the ledger; the baseline's think time."""
    vu.metrics.add(ERRORS, not submit_problem(vu, agent_headers(vu)))
    time.sleep(THINK_TIME_S)


def after_load(context: Any) -> None:
    drain_then_reconcile(context, drain_within_s=None)
