"""The worker's Prometheus metrics and the small HTTP app that serves them with `/health`.

Names are a contract with the alert rules and the dashboard; keep them. Everything lives in the
worker's own CollectorRegistry (plus the process collector for `process_resident_memory_bytes`).
Queue gauges are refreshed from Redis when scraped, so they are as fresh as the scrape.
"""

from __future__ import annotations

import asyncio
from typing import Any
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from .consumer import QueueStats
from .llm import CallRecord

EVALUATION_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30,
                        60, 120, 300, 600)
LLM_BUCKETS_S = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 60)
REFRESH_TIMEOUT_S = 1.0


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.evaluation_duration = Histogram(
            "guardrail_evaluation_duration_seconds", "Time from enqueue to committed verdict",
            ["tier"], buckets=EVALUATION_BUCKETS_S, registry=registry)
        self.llm_call_duration = Histogram(
            "guardrail_llm_call_duration_seconds", "Duration of one model request (SDK retries included)",
            ["model", "result"], buckets=LLM_BUCKETS_S, registry=registry)
        self.evaluations = Counter(
            "guardrail_evaluations_total", "Verdicts committed, by outcome and by the tier that decided",
            ["outcome", "tier"], registry=registry)
        self.llm_calls = Counter("guardrail_llm_calls_total", "Model requests by result (ok, malformed, error)",
                                 ["model", "result"], registry=registry)
        self.llm_tokens = Counter("guardrail_llm_tokens_total", "Tokens billed by the model",
                                  ["direction", "model"], registry=registry)
        self.llm_cost = Counter("guardrail_llm_cost_usd_total", "Cost of model calls (prices.yaml)",
                                ["model"], registry=registry)
        self.cache_lookups = Counter("guardrail_cache_lookups_total", "Verdict cache lookups (hit, miss, error)",
                                     ["result"], registry=registry)
        # Same meaning as the API's gauge of the same name: XLEN, i.e. unfinished jobs, because
        # the worker deletes entries as it acknowledges them.
        self.queue_length = Gauge("guardrail_queue_length", "Unfinished jobs in the stream (XLEN)",
                                  registry=registry)
        self.waiting_jobs = Gauge("guardrail_waiting_jobs", "Jobs not yet delivered to any worker",
                                  registry=registry)
        self.pending_jobs = Gauge("guardrail_pending_jobs", "Jobs delivered to a worker and not yet acknowledged",
                                  registry=registry)
        self.oldest_pending_age = Gauge("guardrail_oldest_pending_age_seconds",
                                        "Age of the oldest unfinished job (waiting or pending)", registry=registry)
        self.dead_letter = Counter("guardrail_dead_letter_total", "Jobs moved to the dead-letter stream by this worker",
                                   ["reason"], registry=registry)
        self.dead_letter_length = Gauge("guardrail_dead_letter_length", "Entries in the dead-letter stream",
                                        registry=registry)
        self.reclaimed = Counter("guardrail_jobs_reclaimed_total", "Stalled jobs taken over from another consumer",
                                 registry=registry)
        self.duplicates = Counter("guardrail_duplicate_jobs_total",
                                  "Deliveries whose problem already had a verdict (acknowledged, not re-evaluated)",
                                  registry=registry)
        self.failures = Counter("guardrail_job_failures_total",
                                "Deliveries that failed and were left pending for a retry", ["error"], registry=registry)
        self.redis_errors = Counter("guardrail_redis_errors_total",
                                    "Redis commands that failed (and were retried), by operation",
                                    ["operation"], registry=registry)
        self.in_flight = Gauge("guardrail_jobs_in_flight", "Jobs being evaluated by this worker", registry=registry)

    def initialise(self, *, model: str) -> None:
        """Create the series alerts read, at zero, so `rate()` and absence checks work from the start."""
        for outcome in ("approved", "rejected", "needs_review"):
            for tier in ("prefilter", "cache", "llm", "dead_letter"):
                self.evaluations.labels(outcome, tier)
        for kind in ("bad_job", "problem_missing", "max_deliveries"):
            self.dead_letter.labels(kind)
        for result in ("hit", "miss", "error"):
            self.cache_lookups.labels(result)
        for direction in ("input", "output"):
            self.llm_tokens.labels(direction, model)
        self.llm_cost.labels(model)

    def record_llm_call(self, call: CallRecord) -> None:
        self.llm_calls.labels(call.model, call.result).inc()
        self.llm_call_duration.labels(call.model, call.result).observe(call.duration_s)
        self.llm_tokens.labels("input", call.model).inc(call.input_tokens)
        self.llm_tokens.labels("output", call.model).inc(call.output_tokens)
        self.llm_cost.labels(call.model).inc(float(call.cost_usd))

    def record_queue(self, stats: QueueStats) -> None:
        self.queue_length.set(stats.length)
        self.waiting_jobs.set(stats.waiting)
        self.pending_jobs.set(stats.pending)
        self.oldest_pending_age.set(stats.oldest_age_s)
        self.dead_letter_length.set(stats.dead)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


HealthFn = Callable[[], dict[str, Any]]
RefreshFn = Callable[[], Awaitable[None]]
METRICS = web.AppKey("metrics", WorkerMetrics)
HEALTH = web.AppKey("health", object)
REFRESH = web.AppKey("refresh", object)


async def _health(request: web.Request) -> web.Response:
    # 200 only while consuming: a stack waiting for readiness must not count a starting or
    # draining worker as up.
    body = request.app[HEALTH]()     # type: ignore[operator]
    return web.json_response(body, status=200 if body.get("status") == "running" else 503)


async def _metrics(request: web.Request) -> web.Response:
    try:
        await asyncio.wait_for(request.app[REFRESH](), timeout=REFRESH_TIMEOUT_S)     # type: ignore[operator]
    except Exception:
        pass
    body = request.app[METRICS].exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def create_metrics_app(metrics: WorkerMetrics, *, health: HealthFn, refresh: RefreshFn) -> web.Application:
    app = web.Application()
    app[METRICS] = metrics
    app[HEALTH] = health
    app[REFRESH] = refresh
    app.router.add_get("/health", _health)
    app.router.add_get("/metrics", _metrics)
    return app
