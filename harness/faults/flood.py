"""A flood of problem submissions through the API, and what became of each problem.

Problems of one flood carry a tag in their title, so a scenario reads back exactly its own rows
(and shares the database with anything else). A problem accepted with 202 has a guardrail job on
the stream; it is *lost* if it never gets a verdict. A problem answered 503 because the queue was
down is stored as `needs_review` (the API says so), which is not a loss.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from harness.platform_client import AsyncPlatformClient

from .lab import FaultLab, problem_body
from .load import ClosedLoopLoad

FINAL_STATUSES = ("approved", "rejected", "needs_review")


def problem_flood(api_url: str, api_key: str, *, count: int, clients: int, tag: str,
                  think_s: float = 0.02) -> ClosedLoopLoad:
    """A load (not started) that submits `count` distinct problems, tagged `tag`."""

    async def submit(client: AsyncPlatformClient, serial: int) -> int:
        return (await client.create_problem(problem_body(serial, tag), api_key=api_key)).status

    return ClosedLoopLoad(submit, base_url=api_url, clients=clients, max_requests=count, think_s=think_s,
                          request_timeout_s=15.0)


@dataclass(frozen=True)
class ProblemFates:
    stored: int
    with_verdict: int           # an evaluation row exists
    pending: int                # still pending_review: a job not (yet) done
    needs_review_unqueued: int  # stored while the queue was down, flagged for a human
    duplicate_effects: int      # evaluation rows beyond one per problem


def problem_fates(lab: FaultLab, tag: str) -> ProblemFates:
    rows = lab.sql(
        "SELECT p.status, p.guardrail_reason, count(e.id) FROM problems p "
        "LEFT JOIN guardrail_evaluations e ON e.problem_id = p.id WHERE p.title LIKE %s "
        "GROUP BY p.id, p.status, p.guardrail_reason", (f"%({tag})",))
    return ProblemFates(
        stored=len(rows),
        with_verdict=sum(1 for _, _, n in rows if n >= 1),
        pending=sum(1 for status, _, _ in rows if status == "pending_review"),
        needs_review_unqueued=sum(1 for status, reason, n in rows
                                  if status == "needs_review" and reason == "enqueue failed" and n == 0),
        duplicate_effects=sum(max(0, n - 1) for _, _, n in rows),
    )


def wait_settled(lab: FaultLab, tag: str, *, timeout_s: float) -> ProblemFates:
    """Poll until no problem of `tag` is pending (or `timeout_s` passed); the fates then."""
    deadline = time.monotonic() + timeout_s
    while True:
        fates = problem_fates(lab, tag)
        if fates.pending == 0 or time.monotonic() > deadline:
            return fates
        time.sleep(0.2)


def accepted_since(flood: ClosedLoopLoad, since_s: float) -> int:
    return sum(1 for o in flood.result.outcomes if o.started_s >= since_s and o.status == 202)


def wait_accepted(flood: ClosedLoopLoad, since_s: float, count: int, *, timeout_s: float = 30.0) -> None:
    """Wait until `count` submissions started after `since_s` were accepted (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and accepted_since(flood, since_s) < count:
        time.sleep(0.05)
