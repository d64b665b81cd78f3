"""The four baseline scenarios of the seed's k6 script (8.1), as behaviours for `bwperf run`.

    bwperf run scenarios/baseline.yaml --profile smoke        # k6 executors, exact percentiles
    locust -f scenarios/baseline.py --host http://127.0.0.1:4000   # the same behaviours, Locust's UI

Each behaviour is `def f(vu)`: one iteration of one scenario. Checks are the seed's; `errors`
records every iteration (True when a check failed). Agent keys come from the run's pool, spread
over every request (`scenarios.agents`). Under plain Locust each user class registers its own
small pool and paces each user at one iteration per second (closed model; for k6 arrival rates
use `bwperf run`).
"""

from __future__ import annotations

import time
from typing import Any

from scenarios.agents import agent_headers
from scenarios.api import (
    BROWSE_PATH,
    NAME_BROWSE,
    NAME_CREATE,
    NAME_NEARBY,
    NAME_REGISTER,
    NAME_VERDICT_POLL,
    NEARBY_PATH,
    PROBLEMS_PATH,
    REGISTER_PATH,
    json_body,
    problem_body,
    problem_path,
    registration_body,
    title_token,
    unique_suffix,
)
from scenarios.guardrail import wait_for_verdict
from scenarios.metrics import ERRORS, GUARDRAIL_LATENCY

THINK_TIME_S = 0.1  # the seed's sleep(0.1) after browsing and searching
USERNAME_PREFIX = "load-test-agent"
LOCUST_AGENTS_PER_CLASS = 5
LOCUST_ITERATIONS_PER_USER_PER_S = 1.0


def browse_problems(vu: Any) -> None:
    """GET a page of environmental problems; the seed's two checks."""
    response = vu.client.get(BROWSE_PATH, headers=agent_headers(vu), name=NAME_BROWSE)
    ok = vu.check("status is 200", response.status_code == 200)
    ok = vu.check("response has data", bool(json_body(response).get("data"))) and ok
    vu.metrics.add(ERRORS, not ok)
    time.sleep(THINK_TIME_S)


def register_agent(vu: Any) -> None:
    """Register an agent under a unique username (no credentials: the auth routes are per IP)."""
    body = registration_body(f"{USERNAME_PREFIX}-{unique_suffix()}")
    response = vu.client.post(REGISTER_PATH, json=body, name=NAME_REGISTER)
    ok = vu.check("status is 201", response.status_code == 201)
    ok = vu.check("returns api_key", isinstance(json_body(response).get("apiKey"), str)) and ok
    vu.metrics.add(ERRORS, not ok)


def create_problem(vu: Any) -> None:
    """Submit the seed's problem, then poll it until the guardrail's verdict is visible:
    `guardrail_latency` is the time from the POST to that verdict, not to the 202."""
    headers = agent_headers(vu)
    posted_at_s = time.monotonic()
    response = vu.client.post(PROBLEMS_PATH, json=problem_body(title_token()), headers=headers, name=NAME_CREATE)
    accepted = vu.check("status is 201 or 202", response.status_code in (201, 202))
    problem_id = json_body(response).get("id") if accepted else None
    if not isinstance(problem_id, int):
        vu.metrics.add(ERRORS, True)
        return

    def fetch_status() -> str | None:
        poll = vu.client.get(problem_path(problem_id), headers=headers, name=NAME_VERDICT_POLL)
        status = json_body(poll).get("status") if poll.status_code == 200 else None
        return status if isinstance(status, str) else None

    wait = wait_for_verdict(fetch_status, posted_at_s=posted_at_s, clock=time.monotonic, sleep=time.sleep)
    # A timed-out wait is recorded too, with the time waited: the true latency is at least that.
    vu.metrics.add(GUARDRAIL_LATENCY, wait.elapsed_s * 1000.0)
    ok = vu.check("verdict visible in time", not wait.timed_out)
    vu.metrics.add(ERRORS, not ok)


def search_missions(vu: Any) -> None:
    """Missions within 50 km of San Francisco (the geo query)."""
    response = vu.client.get(NEARBY_PATH, headers=agent_headers(vu), name=NAME_NEARBY)
    ok = vu.check("status is 200", response.status_code == 200)
    vu.metrics.add(ERRORS, not ok)
    time.sleep(THINK_TIME_S)


def _locust_classes() -> tuple[type, ...]:
    """The behaviours as plain Locust users (`locust -f scenarios/baseline.py`)."""
    from locust import constant_throughput

    from harness.engine import locust_user

    pace = constant_throughput(LOCUST_ITERATIONS_PER_USER_PER_S)
    return (
        locust_user(browse_problems, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
        locust_user(register_agent, wait_time=pace),
        locust_user(create_problem, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
        locust_user(search_missions, agents=LOCUST_AGENTS_PER_CLASS, wait_time=pace),
    )


BrowseProblems, RegisterAgent, CreateProblem, SearchMissions = _locust_classes()
