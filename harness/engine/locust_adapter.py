"""The same behaviour functions as plain Locust user classes, for `locust -f` and its web UI.

    # scenarios/baseline.py
    from harness.engine import locust_user
    BrowseProblems = locust_user(browse_problems, agents=10)

Under plain Locust the pacing is Locust's (closed model) and its statistics are Locust's; for
k6 executors and exact percentiles use `bwperf run`. Custom metrics and checks show up in
Locust's table as pseudo-requests: `TREND`/`COUNTER` rows (the value as the "response time")
and `RATE`/`CHECK` rows (a true Rate value or a failed check counts as a failure).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from gevent.lock import Semaphore
from locust import FastHttpUser, between, task

from harness.credentials import AgentCredential, provision_agents
from harness.metrics.custom import MetricDeclaration
from harness.metrics.names import MetricKind


class _LocustMetrics:
    def __init__(self, user: FastHttpUser) -> None:
        self._user = user

    def add(self, metric: MetricDeclaration, value: float | bool) -> None:
        fire = self._user.environment.events.request.fire
        if metric.kind is MetricKind.RATE:
            failed = bool(value)
            fire(request_type="RATE", name=metric.name, response_time=0, response_length=0,
                 exception=ValueError(metric.name) if failed else None, context=self._user.context())
            return
        kind = "TREND" if metric.kind is MetricKind.TREND else "COUNTER"
        fire(request_type=kind, name=metric.name, response_time=float(value), response_length=0,
             exception=None, context=self._user.context())


def locust_user(
    behaviour: Callable[[Any], None],
    *,
    agents: int = 0,
    wait_time: Callable[..., float] | None = None,
    weight: int = 1,
    host: str | None = None,
) -> type[FastHttpUser]:
    """A FastHttpUser class whose one task runs `behaviour(user)`; with `agents > 0` the first
    user registers a pool of agents and every user takes the next key round-robin."""
    pool: list[AgentCredential] = []
    lock = Semaphore()
    counter = itertools.count()
    scenario = behaviour.__name__

    def on_start(self: FastHttpUser) -> None:
        self.scenario = scenario
        self.iteration = 0
        self.metrics = _LocustMetrics(self)
        self.credentials = None
        if agents:
            with lock:
                if not pool:
                    pool.extend(provision_agents(target=self.host, size=agents, run_tag=f"{int(time.time())}"))
            self.credentials = pool[next(counter) % len(pool)]

    def context(self: FastHttpUser) -> dict[str, Any]:
        return {"scenario": scenario}

    def auth_headers(self: FastHttpUser) -> dict[str, str]:
        return self.credentials.auth_headers() if self.credentials else {}

    def check(self: FastHttpUser, name: str, ok: bool) -> bool:
        self.environment.events.request.fire(
            request_type="CHECK", name=name, response_time=0, response_length=0,
            exception=None if ok else AssertionError(name), context=self.context())
        return bool(ok)

    def run_behaviour(self: FastHttpUser) -> None:
        try:
            behaviour(self)
        finally:
            self.iteration += 1

    namespace: dict[str, Any] = {
        "on_start": on_start, "context": context, "auth_headers": auth_headers, "check": check,
        "tasks": [task(run_behaviour)], "wait_time": wait_time or between(0.0, 0.0), "weight": weight,
        "abstract": False, "__doc__": behaviour.__doc__, "__module__": behaviour.__module__,
    }
    if host is not None:
        namespace["host"] = host
    name = "".join(part.capitalize() for part in scenario.split("_")) or "Behaviour"
    return type(name, (FastHttpUser,), namespace)
