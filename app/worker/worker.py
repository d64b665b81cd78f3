"""The run loop: fetch jobs into free slots, evaluate them, commit, acknowledge, drain on stop.

One fetch loop owns the stream: each turn it waits for a free slot, reclaims stalled jobs when
that is due, then reads new ones (XREADGROUP BLOCK, bounded so reclaims keep their schedule).
Each job runs as its own task; at most `concurrency` run at once, and a keep-alive loop resets
their idle time every third of the idle timeout so that only a dead worker's jobs look stalled.
A liveness loop refreshes this consumer's liveness key every third of its TTL; the fetch loop
claims the jobs of consumers whose key is gone (a crashed predecessor) within seconds, and the
idle-timeout reclaim stays as the fallback. A clean stop deletes the key and the consumer.
`stop()` ends the fetch loop (within one read block), then in-flight jobs get `drain_timeout_s`
to finish and acknowledge. A job cut off by the drain timeout stays pending and is reclaimed by
another worker.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from redis.exceptions import RedisError

from .consumer import Delivery, StreamConsumer
from .evaluation import Evaluation, Evaluator
from .jobs import GuardrailJob, JobFormatError, now_ms, parse_job
from .metrics import WorkerMetrics
from .settings import WorkerSettings
from .store import Store, VerdictRecord

ACK_ATTEMPTS = 8            # ~13 s of retries in all: longer than a Redis restart
BACKOFF_MAX_S = 2.0


class Worker:
    def __init__(self, *, settings: WorkerSettings, consumer: StreamConsumer, store: Store,
                 evaluator: Evaluator, metrics: WorkerMetrics, log: Any) -> None:
        self.settings = settings
        self.consumer = consumer
        self.store = store
        self.evaluator = evaluator
        self.metrics = metrics
        self.log = log
        self.state = "starting"
        self._tasks: dict[asyncio.Task[None], str] = {}     # task -> stream entry id
        self._stopping = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._redis_error_at = float("-inf")   # when this worker last failed to reach Redis

    # -- lifecycle -------------------------------------------------------------------------

    def stop(self) -> None:
        if not self._stopping.is_set():
            self.log.info("worker.stopping", in_flight=len(self._tasks))
        self._stopping.set()
        self._slot_free.set()

    def health(self) -> dict[str, Any]:
        return {"status": self.state, "consumer": self.consumer.consumer, "in_flight": len(self._tasks),
                "concurrency": self.settings.concurrency}

    async def run(self) -> None:
        """Consume until `stop()`; then drain. Returns when every job has finished or been left
        pending for another worker."""
        await self._ensure_group()
        if self._stopping.is_set():
            self.state = "stopped"
            return
        self.state = "running"
        self.log.info("worker.running", consumer=self.consumer.consumer, stream=self.consumer.stream,
                      group=self.consumer.group, concurrency=self.settings.concurrency)
        await self._refresh_liveness()
        loops = [asyncio.create_task(self._keepalive_loop(), name="keepalive"),
                 asyncio.create_task(self._liveness_loop(), name="liveness")]
        try:
            await self._fetch_loop()
            self.state = "draining"
            await self._drain()
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)
        await self._leave()
        self.state = "stopped"

    async def _leave(self) -> None:
        try:
            removed = await self.consumer.leave()
        except RedisError as exc:
            self.log.warning("worker.leave_failed", error=str(exc), note="others reclaim after the liveness TTL")
            return
        self.log.info("worker.left_group", consumer=self.consumer.consumer, consumer_deleted=removed)

    async def _ensure_group(self) -> None:
        backoff_s = 0.1
        while not self._stopping.is_set():
            try:
                await self.consumer.ensure_group()
                return
            except RedisError as exc:
                self.metrics.redis_errors.labels("create_group").inc()
                self.log.warning("worker.redis_unavailable", error=str(exc), retry_in_s=backoff_s)
                await self._pause(backoff_s)
                backoff_s = min(backoff_s * 2, BACKOFF_MAX_S)

    async def _drain(self) -> None:
        if not self._tasks:
            return
        self.log.info("worker.draining", in_flight=len(self._tasks), timeout_s=self.settings.drain_timeout_s)
        _, pending = await asyncio.wait(set(self._tasks), timeout=self.settings.drain_timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
            self.log.warning("worker.drain_timeout", abandoned=len(pending),
                             note="left pending; another worker reclaims them after the idle timeout")

    # -- fetching --------------------------------------------------------------------------

    async def _fetch_loop(self) -> None:
        next_reclaim = next_sweep = time.monotonic()
        backoff_s = 0.1
        while not self._stopping.is_set():
            free = await self._free_slots()
            if free == 0:
                continue
            try:
                if time.monotonic() >= next_sweep:
                    free -= await self._claim_from_dead(free)
                    next_sweep = time.monotonic() + self.settings.liveness_refresh_s
                if free > 0 and time.monotonic() >= next_reclaim:
                    free -= await self._reclaim(free)
                    next_reclaim = time.monotonic() + self.settings.reclaim_every_s
                if free > 0:
                    block_ms = int(min(self.settings.read_block_ms,
                                       max(1.0, (min(next_reclaim, next_sweep) - time.monotonic()) * 1000)))
                    for delivery in await self.consumer.read(count=free, block_ms=block_ms):
                        self._start(delivery)
                backoff_s = 0.1
            except RedisError as exc:
                # Redis restarting or unreachable: keep the in-flight jobs going and try again.
                self._redis_error_at = time.monotonic()
                self.metrics.redis_errors.labels("fetch").inc()
                self.log.warning("worker.redis_error", error=str(exc), retry_in_s=backoff_s)
                await self._pause(backoff_s)
                backoff_s = min(backoff_s * 2, BACKOFF_MAX_S)

    async def _free_slots(self) -> int:
        while len(self._tasks) >= self.settings.concurrency and not self._stopping.is_set():
            self._slot_free.clear()
            await self._slot_free.wait()
        return 0 if self._stopping.is_set() else self.settings.concurrency - len(self._tasks)

    async def _reclaim(self, free: int) -> int:
        deliveries, deleted = await self.consumer.reclaim(
            count=free, min_idle_ms=int(self.settings.idle_timeout_s * 1000))
        for message_id in deleted:
            await self.consumer.ack(message_id)
        running = set(self._tasks.values())
        started = 0
        for delivery in deliveries:
            if delivery.message_id in running:
                continue    # our own job, stalled past the idle timeout but still running here
            self.metrics.reclaimed.inc()
            self.log.info("job.reclaimed", message_id=delivery.message_id, deliveries=delivery.deliveries)
            self._start(delivery)
            started += 1
        return started

    async def _claim_from_dead(self, free: int) -> int:
        """Start the jobs of consumers whose liveness key is gone; delete those consumers once empty.

        Skipped until this worker has reached Redis for a whole TTL: after a Redis outage longer
        than the TTL every key has expired, and live workers need that long to renew theirs."""
        ttl_s = self.settings.liveness_ttl_s
        if time.monotonic() - self._redis_error_at < ttl_s:
            return 0
        started = 0
        for dead in await self.consumer.dead_consumers(min_idle_ms=int(ttl_s * 1000)):
            deliveries, removed = await self.consumer.claim_from_dead(dead, count=free - started)
            if removed:
                self.log.info("worker.dead_consumer_removed", consumer=dead)
            for delivery in deliveries:
                self.metrics.reclaimed.inc()
                self.log.info("job.reclaimed", message_id=delivery.message_id, deliveries=delivery.deliveries,
                              from_consumer=dead)
                self._start(delivery)
                started += 1
        return started

    def _start(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._handle(delivery), name=f"job-{delivery.message_id}")
        self._tasks[task] = delivery.message_id
        self.metrics.in_flight.set(len(self._tasks))
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self.metrics.in_flight.set(len(self._tasks))
        self._slot_free.set()

    async def _keepalive_loop(self) -> None:
        # As often as liveness is refreshed: a worker stalled past its liveness TTL learns at its
        # next touch that its jobs went to another, and stops them (docs/supervision.md).
        interval_s = max(0.05, min(self.settings.idle_timeout_s / 3, self.settings.liveness_refresh_s))
        while True:
            await asyncio.sleep(interval_s)
            message_ids = list(self._tasks.values())
            try:
                owned = set(await self.consumer.touch(message_ids))
            except RedisError as exc:
                self._redis_error_at = time.monotonic()
                self.metrics.redis_errors.labels("keepalive").inc()
                self.log.warning("worker.keepalive_failed", error=str(exc), in_flight=len(message_ids))
                continue
            lost = set(message_ids) - owned
            for task, message_id in list(self._tasks.items()):
                if message_id in lost:
                    # Another worker took it over (we were stalled past the TTL): its run is the
                    # one that counts; stop ours (a verdict already stored is idempotent).
                    self.log.warning("job.ownership_lost", message_id=message_id, action="cancelled")
                    task.cancel()

    async def _liveness_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.liveness_refresh_s)
            await self._refresh_liveness()

    async def _refresh_liveness(self) -> None:
        try:
            await self.consumer.mark_alive(ttl_ms=int(self.settings.liveness_ttl_s * 1000))
        except RedisError as exc:
            self._redis_error_at = time.monotonic()
            self.metrics.redis_errors.labels("liveness").inc()
            self.log.warning("worker.liveness_failed", error=str(exc))

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    # -- one job ---------------------------------------------------------------------------

    async def _handle(self, delivery: Delivery) -> None:
        try:
            await self._process(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.metrics.failures.labels(type(exc).__name__).inc()
            self.log.error("job.failed", message_id=delivery.message_id, deliveries=delivery.deliveries,
                           error=f"{type(exc).__name__}: {exc}", note="left pending for redelivery")

    async def _process(self, delivery: Delivery) -> None:
        try:
            job = parse_job(delivery.message_id, delivery.fields, deliveries=delivery.deliveries)
        except JobFormatError as exc:
            await self._dead_letter(delivery, reason=str(exc), kind="bad_job")
            return
        if job.deliveries > self.settings.max_deliveries:
            await self._give_up(job, delivery)
            return
        problem = await self.store.load_problem(job.problem_id)
        if problem is None:
            await self._dead_letter(delivery, reason=f"problem {job.problem_id} does not exist", kind="problem_missing")
            return
        if problem.evaluated:
            self.metrics.duplicates.inc()
            await self._ack(job.message_id)
            return
        evaluation = await self.evaluator.evaluate(problem)
        self._record_evaluation_metrics(evaluation)
        written = await self.store.record_verdict(_verdict_record(job, evaluation))
        self._count_verdict(job, evaluation.status, evaluation.tier, written=written)
        await self._ack(job.message_id)

    def _record_evaluation_metrics(self, evaluation: Evaluation) -> None:
        if evaluation.cache_lookup != "skipped":
            self.metrics.cache_lookups.labels(evaluation.cache_lookup).inc()
        if evaluation.cache_lookup == "error":
            self.metrics.redis_errors.labels("cache_get").inc()
        if evaluation.cache_store_failed:
            self.metrics.redis_errors.labels("cache_set").inc()
        for call in evaluation.llm.calls if evaluation.llm else ():
            self.metrics.record_llm_call(call)

    def _count_verdict(self, job: GuardrailJob, status: str, tier: str, *, written: bool) -> None:
        if not written:
            # Another delivery of this job committed first (we were reclaimed while slow).
            self.metrics.duplicates.inc()
            return
        duration_s = max(0.0, (now_ms() - job.enqueued_at_ms) / 1000)
        self.metrics.evaluations.labels(status, tier).inc()
        self.metrics.evaluation_duration.labels(tier).observe(duration_s)
        self.log.info("job.verdict", job_id=job.job_id, problem_id=job.problem_id, status=status, tier=tier,
                      deliveries=job.deliveries, duration_ms=round(duration_s * 1000, 1))

    async def _give_up(self, job: GuardrailJob, delivery: Delivery) -> None:
        """A job delivered more than `max_deliveries` times: needs_review, then the dead-letter stream."""
        reason = f"no verdict after {job.deliveries - 1} deliveries"
        problem = await self.store.load_problem(job.problem_id)
        if problem is not None and problem.evaluated:
            self.metrics.duplicates.inc()
            await self._ack(job.message_id)
            return
        if problem is not None:
            record = VerdictRecord(problem_id=job.problem_id, job_id=job.job_id, verdict="needs_review",
                                   reason=reason, tier="dead_letter", enqueued_at_ms=job.enqueued_at_ms)
            written = await self.store.record_verdict(record)
            self._count_verdict(job, "needs_review", "dead_letter", written=written)
        await self._dead_letter(delivery, reason=reason, kind="max_deliveries")

    async def _dead_letter(self, delivery: Delivery, *, reason: str, kind: str) -> None:
        await self._with_redis_retry(lambda: self.consumer.dead_letter(delivery, reason=reason))
        self.metrics.dead_letter.labels(kind).inc()
        self.log.warning("job.dead_lettered", message_id=delivery.message_id, deliveries=delivery.deliveries,
                         reason=reason, fields=delivery.fields)

    async def _ack(self, message_id: str) -> None:
        await self._with_redis_retry(lambda: self.consumer.ack(message_id))

    async def _with_redis_retry(self, operation: Any) -> None:
        # The verdict is committed already; keep trying to acknowledge through a Redis restart.
        # If Redis stays away, the job stays pending and its redelivery finds the verdict.
        delay_s = 0.1
        for attempt in range(1, ACK_ATTEMPTS + 1):
            try:
                await operation()
                return
            except RedisError as exc:
                self.metrics.redis_errors.labels("ack").inc()
                if attempt == ACK_ATTEMPTS:
                    raise
                self.log.warning("job.ack_retry", attempt=attempt, error=str(exc))
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, BACKOFF_MAX_S)


def _verdict_record(job: GuardrailJob, evaluation: Evaluation) -> VerdictRecord:
    llm = evaluation.llm
    return VerdictRecord(
        problem_id=job.problem_id, job_id=job.job_id, verdict=evaluation.status, reason=evaluation.reason,
        tier=evaluation.tier, enqueued_at_ms=job.enqueued_at_ms,
        model=llm.calls[-1].model if llm and llm.calls else None,
        input_tokens=llm.input_tokens if llm else 0,
        output_tokens=llm.output_tokens if llm else 0,
        cost_usd=llm.cost_usd if llm else VerdictRecord.cost_usd,
        llm_duration_ms=round(llm.duration_s * 1000, 3) if llm else None,
    )
