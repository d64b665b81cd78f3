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

import secrets
import signal
import time
from dataclasses import dataclass

from .flood import problem_flood, wait_accepted, wait_settled
from .lab import GUARDRAIL_STREAM, FaultLab, register_agent
from .load import BackgroundLoads
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


def run_valkey_restart(lab: FaultLab, *, before_fault: int = 30, after_fault: int = 30, down_s: float = 1.5,
                       crash: bool = True) -> ValkeyRestartResult:
    """Flood problems; after `before_fault` were accepted take Valkey down (SIGKILL unless `crash`
    is False), start it again after `down_s` on the same data, keep flooding until `after_fault`
    more were accepted, then count what was lost."""
    tag = f"vr-{secrets.token_hex(3)}"
    lab.reset_queue()
    lab.emulator(latency_ms=100.0)
    api = lab.api()
    worker = lab.worker(concurrency=5)
    # The requests refused while Valkey is down come on top of the accepted ones.
    flood = problem_flood(api.url, register_agent(api.url, f"fault-{tag}"),
                          count=before_fault + after_fault + 500, clients=4, tag=tag, think_s=0.05)
    background = BackgroundLoads(flood).start()
    try:
        wait_accepted(flood, 0.0, before_fault)
        before = _stream_length(lab)
        _take_valkey_down(lab, crash=crash)
        down_at = time.monotonic()
        time.sleep(down_s)
        lab.valkey.start()                                
        back_at = time.monotonic()
        after = _stream_length(lab)
        wait_accepted(flood, back_at, after_fault)
        background.stop()
        fates = wait_settled(lab, tag, timeout_s=SETTLE_TIMEOUT_S)
        settled = time.monotonic() - back_at if fates.pending == 0 else None
    finally:
        background.stop()
        lab.ensure_servers_running()
        lab.stop(worker)
        lab.stop(api)
    outcomes = flood.result.outcomes
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
