"""PostgreSQL stops under load: the API answers 503 quickly, /ready is 503, and it recovers alone.

Eight clients read problems through the API; PostgreSQL is stopped (fast shutdown) and started
again after `outage_s` on the same port and data. Measured: the latency of every request during
the outage (none may hang past the API's pool timeout plus a margin), what it answered (503 and
nothing else), /ready during the outage, and the time from "PostgreSQL accepts connections again"
to "the API answers 200 again and /ready is 200" (goal: 10 s, seed 7.2's readiness contract).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from harness.platform_client import AsyncPlatformClient

from .lab import FaultLab
from .load import BackgroundLoads, ClosedLoopLoad, LoadResult, Outcome
from .results import FaultResult, Figure

RECOVERY_GOAL_S = 10.0
LATENCY_MARGIN_S = 1.0      # scheduling slack above the pool timeout on a busy 2-core machine
STABLE_S = 1.5              # recovered = this long of nothing but successes
READY_POLL_S = 0.2


@dataclass(frozen=True)
class DbOutageResult(FaultResult):
    outage_s: float
    pool_timeout_s: float
    requests_during_outage: int
    answered_503: int
    other_failures: int            # 500s, hangs (client timeout), anything but a 503 or a success
    max_latency_during_outage_s: float
    ready_polls_during_outage: int
    ready_not_503: int
    ready_answers_during_outage: dict[str, int]   # status (or client error) -> count
    recovery_s: float | None       # None: did not recover before the deadline
    ok_after_recovery: int

    @property
    def name(self) -> str:
        return "database outage"

    def figures(self) -> list[Figure]:
        return [
            Figure.info("outage", self.outage_s, "s"),
            Figure.info("requests during outage", self.requests_during_outage),
            Figure.info("answered 503 during outage", self.answered_503),
            Figure.zero("other failures during outage (500, hang)", self.other_failures),
            Figure.at_most("max latency during outage", self.max_latency_during_outage_s,
                           self.pool_timeout_s + LATENCY_MARGIN_S, "s"),
            Figure.zero("/ready not 503 during outage", self.ready_not_503),
            Figure.at_most("time to recover after the database returned", self.recovery_s, RECOVERY_GOAL_S, "s"),
            Figure.at_least("successful requests after recovery", self.ok_after_recovery, 1),
        ]


def _stable_since(outcomes: list[Outcome], since_s: float) -> float | None:
    """End time of the last failure among requests started after `since_s` (or `since_s`), if the
    requests after it have been successes for STABLE_S; else None."""
    later = sorted((o for o in outcomes if o.started_s >= since_s), key=lambda o: o.ended_s)
    last_failure = max((o.ended_s for o in later if not o.ok), default=since_s)
    successes = [o for o in later if o.ok and o.started_s >= last_failure]
    if successes and successes[-1].ended_s - last_failure >= STABLE_S:
        return last_failure
    return None


def run_db_outage(lab: FaultLab, *, outage_s: float = 3.0, pool_timeout_s: float = 2.0,
                  clients: int = 8) -> DbOutageResult:
    """Stop PostgreSQL for `outage_s` under load and measure the API's answers and recovery."""
    api = lab.api(DB_POOL_TIMEOUT_S=str(pool_timeout_s), DB_POOL_MAX="10")

    async def read_problems(client: AsyncPlatformClient, _: int) -> int:
        return (await client.list_problems(limit=5)).status

    async def ready(client: AsyncPlatformClient, _: int) -> int:
        return (await client.ready()).status

    load = ClosedLoopLoad(read_problems, base_url=api.url, clients=clients, request_timeout_s=pool_timeout_s + 10)
    probe = ClosedLoopLoad(ready, base_url=api.url, clients=1, think_s=READY_POLL_S, request_timeout_s=10.0)
    background = BackgroundLoads(load, probe).start()
    try:
        time.sleep(1.0)                                    # steady state first
        stopping_at = time.monotonic()
        lab.postgres.stop()
        down_at = time.monotonic()
        time.sleep(outage_s)
        restart_at = time.monotonic()  # up to here the database is down for certain
        lab.postgres.start()  # returns once it accepts connections: polls may succeed before that
        back_at = time.monotonic()
        deadline = back_at + RECOVERY_GOAL_S + 5.0
        while time.monotonic() < deadline and _recovered_at(load.result, probe.result, back_at) is None:
            time.sleep(0.25)
    finally:
        background.stop()
        lab.ensure_servers_running()
        lab.stop(api)
    recovered_at = _recovered_at(load.result, probe.result, back_at)
    during = load.result.between(stopping_at, back_at)
    # "During" is while the database was down for certain: from its stop to the call that starts it
    # again. A poll answered after that may have got a connection as the server came up, before
    # `start()` (which waits for it to accept connections) returned: 1 run in 4 counted such a 200.
    ready_during = [o for o in probe.result.outcomes if down_at <= o.started_s and o.ended_s < restart_at]
    return DbOutageResult(
        requests_tried=len(load.result.outcomes) + len(probe.result.outcomes),
        faults_injected=1,
        outage_s=round(back_at - stopping_at, 3),
        pool_timeout_s=pool_timeout_s,
        requests_during_outage=len(during),
        answered_503=sum(1 for o in during if o.status == 503),
        other_failures=sum(1 for o in during if not o.ok and o.status != 503),
        max_latency_during_outage_s=round(max((o.latency_s for o in during), default=0.0), 3),
        ready_polls_during_outage=len(ready_during),
        ready_not_503=sum(1 for o in ready_during if o.status != 503),
        ready_answers_during_outage=probe.result.by_status(ready_during),
        recovery_s=None if recovered_at is None else round(max(0.0, recovered_at - back_at), 3),
        ok_after_recovery=sum(1 for o in load.result.outcomes
                              if recovered_at is not None and o.started_s >= recovered_at and o.ok),
    )


def _recovered_at(requests: LoadResult, ready_polls: LoadResult, back_at: float) -> float | None:
    requests_ok = _stable_since(requests.outcomes, back_at)
    ready_ok = _stable_since(ready_polls.outcomes, back_at)
    if requests_ok is None or ready_ok is None:
        return None
    return max(requests_ok, ready_ok)
