"""Problem submissions that the ledger records: POST /api/v1/problems (which inserts the problem
and enqueues its guardrail job); a 202 with an id and a job id is an acknowledged write."""

from __future__ import annotations

from typing import Any

from scenarios.api import NAME_CREATE, PROBLEMS_PATH, json_body, problem_body, title_token
from stress import ledger


def submit_problem(vu: Any, headers: dict[str, str]) -> bool:
    """One submission with a unique title (so the guardrail evaluates it, not its cache)."""
    response = vu.client.post(PROBLEMS_PATH, json=problem_body(title_token()), headers=headers, name=NAME_CREATE)
    body = json_body(response)
    problem_id, job_id = body.get("id"), body.get("jobId")
    ok = vu.check("accepted (202 with id and jobId)", response.status_code in (201, 202) and isinstance(problem_id, int))
    if ok:
        ledger.record("problem", id=problem_id, job_id=str(job_id or ""))
    return ok
