"""PostgreSQL hangs (every process SIGSTOPped): /ready still answers within its budget.

A frozen server is worse than a stopped one: the kernel accepts connections and nobody answers,
so nothing fails fast. /ready must still answer 503 within its check budget (1 s) plus a margin,
every time it is asked, and turn 200 again soon after SIGCONT.

Also measured, for information: how long a data request waits during the freeze. The API has no
client-side query timeout (statement_timeout runs on the server, which is frozen), so a request
that already holds a connection waits for the server; the figure shows it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass

from harness.platform_client import AsyncPlatformClient, PlatformError, Reply

from .lab import FaultLab
from .results import FaultResult, Figure

READY_BUDGET_S = 1.0        # app.views.health.READY_CHECK_TIMEOUT_S
READY_MARGIN_S = 0.5
RECOVERY_GOAL_S = 5.0
DATA_REQUEST_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class DbFreezeResult(FaultResult):
    ready_polls_frozen: int
    ready_statuses_frozen: tuple[int | None, ...]
    max_ready_latency_frozen_s: float
    ready_recovery_s: float | None
    data_request_latency_frozen_s: float
    data_request_status_frozen: int | None

    @property
    def name(self) -> str:
        return "database frozen (SIGSTOP)"

    def figures(self) -> list[Figure]:
        return [
            Figure.info("/ready polls while frozen", self.ready_polls_frozen),
            Figure.at_most("max /ready latency while frozen", self.max_ready_latency_frozen_s,
                           READY_BUDGET_S + READY_MARGIN_S, "s"),
            Figure.zero("/ready answers other than 503 while frozen",
                        sum(1 for s in self.ready_statuses_frozen if s != 503)),
            Figure.at_most("/ready back to 200 after SIGCONT", self.ready_recovery_s, RECOVERY_GOAL_S, "s"),
            Figure.info("data request wait while frozen (client gives up at "
                        f"{DATA_REQUEST_TIMEOUT_S:g} s)", self.data_request_latency_frozen_s, "s"),
        ]


async def _timed(call: Awaitable[Reply], timeout_s: float) -> tuple[int | None, float]:
    """(status, or None without an answer within `timeout_s` in all; seconds waited) of one call."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            return (await call).status, time.monotonic() - started
    except (TimeoutError, PlatformError):
        return None, time.monotonic() - started


async def _scenario(lab: FaultLab, *, polls: int) -> DbFreezeResult:
    api = lab.api()
    statuses: list[int | None] = []
    latencies: list[float] = []
    recovery: float | None = None
    # The longest wait below is 15 s; each call has its own total timeout.
    async with AsyncPlatformClient(api.url, connect_timeout_s=5.0, read_timeout_s=15.0) as client:
        try:
            for _ in range(3):  # warm: the pool holds connections that will be stuck in the freeze
                await _timed(client.ready(), 5)
            with lab.frozen_postgres():
                data = asyncio.create_task(_timed(client.list_problems(limit=1), DATA_REQUEST_TIMEOUT_S))
                for _ in range(polls):
                    status, latency = await _timed(client.ready(), 15)
                    statuses.append(status)
                    latencies.append(latency)
                data_status, data_latency = await data
            resumed = time.monotonic()
            while time.monotonic() - resumed < RECOVERY_GOAL_S + 10:
                status, _ = await _timed(client.ready(), 5)
                if status == 200:
                    recovery = time.monotonic() - resumed
                    break
                await asyncio.sleep(0.1)
        finally:
            lab.resume_postgres()
            lab.stop(api)
    return DbFreezeResult(
        requests_tried=3 + polls + 1 + 1, faults_injected=1,
        ready_polls_frozen=len(statuses), ready_statuses_frozen=tuple(statuses),
        max_ready_latency_frozen_s=round(max(latencies), 3),
        ready_recovery_s=None if recovery is None else round(recovery, 3),
        data_request_latency_frozen_s=round(data_latency, 3), data_request_status_frozen=data_status,
    )


def run_db_freeze(lab: FaultLab, *, polls: int = 3) -> DbFreezeResult:
    """Freeze every PostgreSQL process, ask /ready `polls` times, resume, time the recovery."""
    return asyncio.run(_scenario(lab, polls=polls))
