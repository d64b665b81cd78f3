"""Reconciling the ledger against the platform after the run: is every acknowledged write still
there, and where it should be?

- problem: GET /api/v1/problems/{id}. 404 (or any non-200) -> missing. A final status (approved,
  rejected, needs_review) -> final. `pending_review` is legitimate only while its job is still in
  `guardrail:jobs` and not stuck; a job in the dead-letter stream, pending under a consumer idle for
  longer than `stuck_idle_s`, or in neither stream (lost) -> stuck.
- job: every pending entry of the stream idle longer than `stuck_idle_s` is stuck, recorded or not.
- agent: the `agent_check` outcome its own process wrote (a heartbeat with its key); none, or not
  200 -> lost.

Bounded: at most `max_scan` stream entries read, every HTTP call with a timeout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gevent.pool
import redis

from harness.goals.model import QueueState, ReconciliationReport, UnaccountedItem
from harness.platform_client import PlatformClient, PlatformError
from stress.ledger import LedgerEntries, read_ledger

STREAM = "guardrail:jobs"
GROUP = "guardrail-workers"
DEAD_STREAM = "guardrail:dead"
FINAL_STATUSES = ("approved", "rejected", "needs_review")
PENDING_STATUS = "pending_review"
STUCK_IDLE_S = 120.0
MAX_SCAN = 500_000
BATCH = 1000
HTTP_CONCURRENCY = 20
HTTP_TIMEOUT_S = 10.0


def _problem_ids(client: redis.Redis, stream: str, *, max_scan: int) -> dict[int, str]:
    """problem id -> entry id of a stream, reading at most `max_scan` entries."""
    found: dict[int, str] = {}
    start = "-"
    read = 0
    while read < max_scan:
        batch = client.xrange(stream, min=start, max="+", count=BATCH)
        if not batch:
            break
        for entry_id, fields in batch:
            raw = fields.get(b"problem_id") or fields.get("problem_id")
            if raw is not None:
                found[int(raw)] = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        read += len(batch)
        last = batch[-1][0]
        start = "(" + (last.decode() if isinstance(last, bytes) else str(last))
        if len(batch) < BATCH:
            break
    return found


def _stuck_entries(client: redis.Redis, stream: str, group: str, *, stuck_idle_s: float,
                   max_scan: int) -> dict[str, str]:
    """entry id -> why, for pending entries idle longer than `stuck_idle_s`."""
    try:
        pending = client.xpending_range(stream, group, min="-", max="+", count=max_scan)
    except redis.ResponseError:  # no such group yet: nothing delivered, nothing stuck
        return {}
    stuck = {}
    for item in pending:
        idle_s = item["time_since_delivered"] / 1000.0
        if idle_s > stuck_idle_s:
            entry = item["message_id"]
            consumer = item["consumer"]
            stuck[entry.decode() if isinstance(entry, bytes) else str(entry)] = (
                f"pending under consumer {consumer.decode() if isinstance(consumer, bytes) else consumer} "
                f"for {idle_s:.0f} s ({item['times_delivered']} deliveries)")
    return stuck


def _queue_state(client: redis.Redis, stream: str, group: str, dead_stream: str) -> QueueState:
    try:
        pending = int(client.xpending(stream, group)["pending"])
    except redis.ResponseError:
        pending = 0
    return QueueState(stream_length=int(client.xlen(stream)), pending=pending,
                      dead_letter_length=int(client.xlen(dead_stream)))


def _fetch_statuses(target: str, ids: Sequence[int]) -> dict[int, tuple[int, str | None]]:
    """problem id -> (HTTP status, problem status) with a bounded pool of requests; a request
    without an answer is (0, the error's kind)."""
    out: dict[int, tuple[int, str | None]] = {}
    with PlatformClient(target, read_timeout_s=HTTP_TIMEOUT_S, max_connections=HTTP_CONCURRENCY) as client:

        def one(problem_id: int) -> None:
            try:
                reply = client.get_problem(problem_id)
            except PlatformError as error:
                out[problem_id] = (0, type(error).__name__)
                return
            status = reply.json_object().get("status") if reply.status == 200 else None
            out[problem_id] = (reply.status, status if isinstance(status, str) else None)

        pool = gevent.pool.Pool(HTTP_CONCURRENCY)
        try:
            for problem_id in ids:
                pool.spawn(one, problem_id)
            pool.join(timeout=HTTP_TIMEOUT_S * (1 + len(ids) / HTTP_CONCURRENCY))
        finally:  # also when this greenlet is killed (the hook's time is up): no request outlives the client
            pool.kill()
    return out


def reconcile(entries: LedgerEntries, *, target: str, redis_url: str, stream: str = STREAM, group: str = GROUP,
              dead_stream: str = DEAD_STREAM, stuck_idle_s: float = STUCK_IDLE_S,
              max_scan: int = MAX_SCAN) -> ReconciliationReport:
    client = redis.Redis.from_url(redis_url, socket_timeout=HTTP_TIMEOUT_S)
    try:
        queue = _queue_state(client, stream, group, dead_stream)
        queued = _problem_ids(client, stream, max_scan=max_scan)
        dead = _problem_ids(client, dead_stream, max_scan=max_scan)
        stuck_entries = _stuck_entries(client, stream, group, stuck_idle_s=stuck_idle_s, max_scan=max_scan)
    finally:
        client.close()
    missing: list[UnaccountedItem] = []
    stuck: list[UnaccountedItem] = []
    final = pending = 0
    stuck_problem_entries: set[str] = set()
    for problem_id, (http, status) in sorted(_fetch_statuses(target, list(entries.problems)).items()):
        key = str(problem_id)
        if http != 200:
            missing.append(UnaccountedItem(kind="problem", id=key, reason=f"GET answered {http or status}"))
        elif status in FINAL_STATUSES:
            final += 1
        elif problem_id in dead:
            stuck.append(UnaccountedItem(kind="problem", id=key, reason="its job is in the dead-letter stream"))
        elif problem_id in queued and queued[problem_id] in stuck_entries:
            stuck_problem_entries.add(queued[problem_id])
            stuck.append(UnaccountedItem(kind="problem", id=key, reason="its job is " + stuck_entries[queued[problem_id]]))
        elif problem_id in queued:
            pending += 1
        else:
            stuck.append(UnaccountedItem(kind="problem", id=key,
                                         reason=f"status {status} but its job is in neither the queue nor the dead letter (lost)"))
    for entry, why in sorted(stuck_entries.items()):
        if entry not in stuck_problem_entries:
            stuck.append(UnaccountedItem(kind="job", id=entry, reason=why))
    lost = []
    for agent_id in entries.agents:
        check = entries.agent_checks.get(agent_id)
        if check is None:
            lost.append(UnaccountedItem(kind="agent", id=agent_id, reason="never verified (its process did not check it)"))
        elif not check[0]:
            lost.append(UnaccountedItem(kind="agent", id=agent_id, reason=f"heartbeat with its key answered {check[1] or 'no response'}"))
    notes = [f"{entries.bad_lines} unreadable ledger line(s)"] if entries.bad_lines else []
    return ReconciliationReport(
        agents_recorded=len(entries.agents), agents_verified=len(entries.agents) - len(lost),
        problems_recorded=len(entries.problems), problems_final=final, problems_pending=pending,
        jobs_recorded=sum(1 for job in entries.problems.values() if job), queue=queue,
        missing=missing, stuck=stuck, lost_agents=lost, notes=notes,
    )


def reconcile_run(run_dir: Path, *, target: str, redis_url: str, **options: float) -> ReconciliationReport:
    return reconcile(read_ledger(run_dir), target=target, redis_url=redis_url, **options)  # type: ignore[arg-type]
