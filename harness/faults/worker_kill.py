"""A guardrail worker is killed with -9 during a flood: every job still completes, once.

Two workers consume the stream; problems are submitted through the API while the model answers
in `llm_latency_ms`. Once a third of the flood is in, the first worker is killed (SIGKILL: no
drain, its jobs stay pending in the consumer group). The second worker reclaims them with
XAUTOCLAIM after the idle timeout. Measured: jobs enqueued, jobs in flight on the killed worker,
jobs reclaimed, jobs lost (accepted, never evaluated), duplicate effects (a problem evaluated
more than once), and how long after the kill the last job took effect.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from .flood import accepted_since, problem_flood, wait_settled
from .lab import GUARDRAIL_STREAM, FaultLab, register_agent
from .load import BackgroundLoads
from .results import FaultResult, Figure

GROUP = "guardrail-workers"
SETTLE_TIMEOUT_S = 45.0
FLOOD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class WorkerKillResult(FaultResult):
    jobs_enqueued: int
    in_flight_at_kill: int
    jobs_reclaimed: int
    jobs_completed: int
    jobs_lost: int
    duplicate_effects: int
    duplicate_deliveries_suppressed: int
    flood_failures: int
    settled_after_kill_s: float | None

    @property
    def name(self) -> str:
        return "worker killed (-9) mid-flood"

    def figures(self) -> list[Figure]:
        return [
            Figure.info("jobs enqueued", self.jobs_enqueued),
            Figure.at_least("jobs in flight on the killed worker", self.in_flight_at_kill, 1),
            Figure.at_least("jobs reclaimed by the other worker", self.jobs_reclaimed, self.in_flight_at_kill),
            Figure.info("jobs completed", self.jobs_completed),
            Figure.zero("jobs lost", self.jobs_lost),
            Figure.zero("duplicate effects", self.duplicate_effects),
            Figure.info("duplicate deliveries suppressed", self.duplicate_deliveries_suppressed),
            Figure.zero("flood requests not accepted", self.flood_failures),
            Figure.info("last job done after the kill", self.settled_after_kill_s, "s"),
        ]


def _pending_of(lab: FaultLab, pid: int) -> int:
    """Jobs delivered to the worker process `pid` and not acknowledged (its consumer's pending)."""
    client = lab.redis()
    try:
        consumers = client.xinfo_consumers(GUARDRAIL_STREAM, GROUP)
    finally:
        client.close()
    return sum(int(c["pending"]) for c in consumers if f"-{pid}-" in str(c["name"]))


def run_worker_kill(lab: FaultLab, *, jobs: int = 60, llm_latency_ms: float = 300.0) -> WorkerKillResult:
    """Flood `jobs` problems through two workers, kill -9 one of them a third of the way in."""
    tag = f"wk-{secrets.token_hex(3)}"
    lab.reset_queue()
    lab.emulator(latency_ms=llm_latency_ms)
    api = lab.api()
    victim = lab.worker(concurrency=5)
    survivor = lab.worker(concurrency=5)
    flood = problem_flood(api.url, register_agent(api.url, f"fault-{tag}"), count=jobs, clients=4, tag=tag)
    background = BackgroundLoads(flood).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if accepted_since(flood, 0.0) >= jobs // 3 and _pending_of(lab, victim.pid) >= 2:
                break
            time.sleep(0.05)
        victim.kill9()
        killed_at = time.monotonic()
        in_flight = _pending_of(lab, victim.pid)    # what it held when it died (reclaimed after 1 s idle)
        background.join(FLOOD_TIMEOUT_S)           # the rest of the flood goes to the survivor
        background.stop()
        fates = wait_settled(lab, tag, timeout_s=SETTLE_TIMEOUT_S)
        settled = time.monotonic() - killed_at if fates.pending == 0 else None
        reclaimed = int(survivor.metric("guardrail_jobs_reclaimed_total"))
        duplicates = int(survivor.metric("guardrail_duplicate_jobs_total"))
    finally:
        background.stop()
        lab.stop(survivor)
        lab.stop(api)
    outcomes = flood.result.outcomes
    accepted = sum(1 for o in outcomes if o.status == 202)
    return WorkerKillResult(
        requests_tried=len(outcomes), faults_injected=1,
        jobs_enqueued=accepted, in_flight_at_kill=in_flight, jobs_reclaimed=reclaimed,
        jobs_completed=fates.with_verdict, jobs_lost=fates.pending + max(0, accepted - fates.stored),
        duplicate_effects=fates.duplicate_effects, duplicate_deliveries_suppressed=duplicates,
        flood_failures=len(outcomes) - accepted,
        settled_after_kill_s=None if settled is None else round(settled, 3),
    )
