"""`python -m app worker [--concurrency N] ...`: the guardrail worker process.

Reads settings from the environment (see settings.py; flags override), loads and validates the
pre-filter rules and the price table, then consumes the guardrail stream until SIGTERM/SIGINT,
drains, and exits 0. Exit code 2: invalid configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

import anthropic
import redis.asyncio as aioredis
import structlog
from aiohttp import web
from prometheus_client import disable_created_metrics
from psycopg_pool import PoolTimeout
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from app.config import ConfigError

from .cache import VerdictCache
from .consumer import StreamConsumer
from .evaluation import Evaluator
from .llm import PROMPT_VERSION, LLMClassifier
from .metrics import WorkerMetrics, create_metrics_app
from .prefilter import RuleSet, RulesError, load_rules
from .pricing import PriceTable, PricesError, load_prices
from .settings import WorkerSettings
from .store import Store, open_pool
from .worker import Worker

DB_OPEN_TIMEOUT_S = 30.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, help="jobs evaluated at once (WORKER_CONCURRENCY, default 5)")
    parser.add_argument("--metrics-port", type=int, help="port of /health and /metrics on 127.0.0.1 "
                        "(WORKER_METRICS_PORT, default 9101; 0 picks a free one)")
    parser.add_argument("--idle-timeout-s", type=float, help="reclaim jobs pending this long "
                        "(GUARDRAIL_IDLE_TIMEOUT_S, default 30)")
    parser.add_argument("--max-deliveries", type=int, help="dead-letter a job delivered more often "
                        "(GUARDRAIL_MAX_DELIVERIES, default 5)")
    parser.add_argument("--drain-timeout-s", type=float, help="time in-flight jobs get on SIGTERM "
                        "(WORKER_DRAIN_TIMEOUT_S, default SHUTDOWN_TIMEOUT_S or 30)")
    parser.add_argument("--consumer-name", help="consumer name in the group (WORKER_CONSUMER_NAME; "
                        "default host-pid-random, unique per process)")
    parser.add_argument("--model", dest="llm_model", help="model id (GUARDRAIL_MODEL)")
    return parser


def load_settings(argv: list[str]) -> WorkerSettings:
    args = _parser().parse_args(argv)
    settings = WorkerSettings.from_env().with_overrides(
        concurrency=args.concurrency, metrics_port=args.metrics_port, idle_timeout_s=args.idle_timeout_s,
        max_deliveries=args.max_deliveries, drain_timeout_s=args.drain_timeout_s,
        consumer_name=args.consumer_name, llm_model=args.llm_model)
    problems = settings.problems()
    if problems:
        raise ConfigError("; ".join(problems))
    return settings


def configure_logging(level: str) -> None:
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(numeric if isinstance(numeric, int) else logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def main(argv: list[str]) -> int:
    try:
        settings = load_settings(argv)
        rules = load_rules(settings.prefilter_rules_path)
        prices = load_prices(settings.prices_path)
        prices.price(settings.llm_model)    # an unpriced model would make every cost silently zero
    except (ConfigError, RulesError, PricesError) as exc:
        print(f"worker: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    disable_created_metrics()  # `_created` series double the exposition and no rule reads them
    return asyncio.run(serve(settings, rules=rules, prices=prices))


async def serve(settings: WorkerSettings, *, rules: RuleSet, prices: PriceTable) -> int:
    log = structlog.get_logger("worker")
    redis = aioredis.Redis.from_url(
        settings.redis_url, decode_responses=True, socket_connect_timeout=2,
        socket_timeout=settings.read_block_ms / 1000 + 5, health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2))
    pool = open_pool(settings.database_url, max_size=settings.concurrency + 2,
                     statement_timeout_ms=settings.db_statement_timeout_ms, timeout_s=settings.db_pool_timeout_s)
    client = anthropic.AsyncAnthropic(api_key=settings.anthropic_api_key, auth_token=settings.anthropic_auth_token,
                                      base_url=settings.anthropic_base_url, timeout=settings.llm_timeout_s,
                                      max_retries=settings.llm_max_retries)
    metrics = WorkerMetrics()
    metrics.initialise(model=settings.llm_model)
    consumer = StreamConsumer(redis, stream=settings.stream, group=settings.group,
                              consumer=settings.consumer_name, dead_stream=settings.dead_stream)
    classifier = LLMClassifier(client, model=settings.llm_model, max_tokens=settings.llm_max_tokens,
                               parse_attempts=settings.llm_parse_attempts, prices=prices)
    cache = VerdictCache(redis, ttl_s=settings.cache_ttl_s, namespace=f"{PROMPT_VERSION}:{settings.llm_model}")
    worker = Worker(settings=settings, consumer=consumer, store=Store(pool),
                    evaluator=Evaluator(rules=rules, cache=cache, classifier=classifier), metrics=metrics, log=log)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)

    async def refresh_queue_gauges() -> None:
        metrics.record_queue(await consumer.stats())

    runner = web.AppRunner(create_metrics_app(metrics, health=worker.health, refresh=refresh_queue_gauges),
                           access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.metrics_host, settings.metrics_port)
        await site.start()
        log.info("worker.started", metrics_url=f"http://{settings.metrics_host}:{runner.addresses[0][1]}/metrics",
                 model=settings.llm_model, llm_base_url=str(client.base_url), rules=len(rules.rules))
        try:
            await pool.open(wait=True, timeout=DB_OPEN_TIMEOUT_S)
        except PoolTimeout as exc:
            log.error("worker.database_unavailable", error=str(exc), timeout_s=DB_OPEN_TIMEOUT_S)
            return 1
        await worker.run()
    finally:
        await runner.cleanup()
        await client.close()
        await pool.close()
        await redis.aclose()
    log.info("worker.stopped")
    return 0

