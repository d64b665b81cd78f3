"""Valkey restarts mid-flood (AOF on): no accepted job is lost, nothing is done twice.

Problems are submitted through the API while a worker evaluates them. After the first few,
Valkey is stopped (by default with SIGKILL, a crash: no chance to flush anything at shutdown),
kept down for `down_s`, and started again on the same port and data directory, so the AOF
replays the stream, the consumer group and its pending entries.

While Valkey is down the API cannot enqueue: it stores the problem as `needs_review` and answers
503 saying so (not a loss: a human sees it). The rate limiter fails open meanwhile. Measured:
problems accepted (202: a job exists), refused with 503 and kept for review, other failures,
jobs lost (accepted, never evaluated), problems lost (answered, but not stored), duplicate
effects, stream length before the stop and after the restart, and the time to settle.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
from dataclasses import dataclass

from .flood import problem_flood, wait_settled
from .load import ClosedLoopLoad
from .lab import GUARDRAIL_STREAM, FaultLab, register_agent
from .results import FaultResult, Figure

SETTLE_TIMEOUT_S = 45.0


@dataclass(frozen=True)
class ValkeyRestartResult(FaultResult):
    crash: bool
    down_s: float
    problems_submitted: int
    jobs_enqueued: int              # 202
    refused_kept_for_review: int    # 503, stored as needs_review
    refused_after_restart: int      # 503s to submissions sent once Valkey accepted connections again
    other_failures: int
    jobs_lost: int
    problems_lost: int
    duplicate_effects: int
    stream_before_stop: int
    stream_after_restart: int
    settled_after_restart_s: float | None

    @property
    def name(self) -> str:
        return f"valkey {'crash (-9)' if self.crash else 'restart'} mid-flood, AOF on"

    def figures(self) -> list[Figure]:
        return [
            Figure.info("valkey down", self.down_s, "s"),
            Figure.info("problems submitted", self.problems_submitted),
            Figure.info("jobs enqueued (202)", self.jobs_enqueued),
            Figure.info("refused with 503, kept as needs_review", self.refused_kept_for_review),
            Figure.info("503 after valkey was back", self.refused_after_restart),
            Figure.zero("other failures (500, hang, lost answer)", self.other_failures),
            Figure.zero("jobs lost", self.jobs_lost),
            Figure.zero("problems lost", self.problems_lost),
            Figure.zero("duplicate effects", self.duplicate_effects),
            Figure.info("stream entries before the stop", self.stream_before_stop),
            Figure.info("stream entries after the restart", self.stream_after_restart),
            Figure.info("all settled after the restart", self.settled_after_restart_s, "s"),
        ]


def _stream_length(lab: FaultLab) -> int:
    client = lab.redis()
    try:
        return int(client.xlen(GUARDRAIL_STREAM))
    finally:
        client.close()


def _take_valkey_down(lab: FaultLab, *, crash: bool) -> None:
    process = lab.valkey.process
    if process is None:
        return
    if crash:
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait(timeout=10)
    else:
        lab.valkey.stop()


async def _scenario(lab: FaultLab, *, before_fault: int, after_fault: int, down_s: float,
                    crash: bool) -> ValkeyRestartResult:
    max_problems = before_fault + after_fault + 500  # the requests refused during the outage come on top
    tag = f"vr-{secrets.token_hex(3)}"
    lab.reset_queue()
    lab.emulator(latency_ms=100.0)
    api = lab.api()
    worker = lab.worker(concurrency=5)
    try:
        key = register_agent(api.url, f"fault-{tag}")
        flood = problem_flood(api.url, key, count=max_problems, clients=4, tag=tag, think_s=0.05)
        flood_task = asyncio.create_task(flood.run())
        await _accepted_since(flood, time.monotonic(), before_fault)
        before = await asyncio.to_thread(_stream_length, lab)
        await asyncio.to_thread(_take_valkey_down, lab, crash=crash)
        down_at = time.monotonic()
        await asyncio.sleep(down_s)
        await asyncio.to_thread(lab.valkey.start)
        back_at = time.monotonic()
        after = await asyncio.to_thread(_stream_length, lab)
        await _accepted_since(flood, back_at, after_fault)
        flood.stop()
        outcomes = (await flood_task).outcomes
        fates, _ = await wait_settled(lab, tag, timeout_s=SETTLE_TIMEOUT_S)
        settled = time.monotonic() - back_at if fates.pending == 0 else None
    finally:
        lab.ensure_servers_running()
        lab.stop(worker)
        lab.stop(api)
    accepted = sum(1 for o in outcomes if o.status == 202)
    refused = sum(1 for o in outcomes if o.status == 503)
    return ValkeyRestartResult(
        requests_tried=len(outcomes), faults_injected=1, crash=crash, down_s=round(back_at - down_at, 3),
        problems_submitted=len(outcomes), jobs_enqueued=accepted, refused_kept_for_review=refused,
        refused_after_restart=sum(1 for o in outcomes if o.started_s >= back_at and o.status == 503),
        other_failures=len(outcomes) - accepted - refused,
        jobs_lost=fates.pending,
        problems_lost=max(0, accepted + refused - fates.stored),
        duplicate_effects=fates.duplicate_effects, stream_before_stop=before, stream_after_restart=after,
        settled_after_restart_s=None if settled is None else round(settled, 3),
    )


async def _accepted_since(flood: ClosedLoopLoad, since_s: float, count: int, *, timeout_s: float = 30.0) -> None:
    """Wait until `count` submissions started after `since_s` were accepted (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if sum(1 for o in flood.result.outcomes if o.started_s >= since_s and o.status == 202) >= count:
            return
        await asyncio.sleep(0.05)


def run_valkey_restart(lab: FaultLab, *, before_fault: int = 30, after_fault: int = 30, down_s: float = 1.5,
                       crash: bool = True) -> ValkeyRestartResult:
    """Flood problems; after `before_fault` were accepted take Valkey down (SIGKILL unless `crash`
    is False), start it again after `down_s` on the same data, keep flooding until `after_fault`
    more were accepted, then count what was lost."""
    return asyncio.run(_scenario(lab, before_fault=before_fault, after_fault=after_fault, down_s=down_s,
                                 crash=crash))
