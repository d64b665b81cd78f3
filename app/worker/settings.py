"""Settings of the guardrail worker, read once from the environment (CLI flags override them).

Shared settings (DATABASE_URL, REDIS_URL, the stream name, timeouts) come from `app.config`;
the ones only the worker needs are here, each with its variable name and unit.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from app.config import ConfigError, Settings

from .jobs import DEFAULT_DEAD_STREAM, DEFAULT_GROUP

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL = "claude-haiku-4-5-20251001"


def default_consumer_name() -> str:
    # Unique per process: two workers on one host (or a restarted one) must never share a
    # consumer, or one would see the other's pending entries as its own.
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class WorkerSettings:
    database_url: str
    redis_url: str
    stream: str = "guardrail:jobs"
    group: str = DEFAULT_GROUP
    dead_stream: str = DEFAULT_DEAD_STREAM
    consumer_name: str = field(default_factory=default_consumer_name)
    concurrency: int = 5
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 in a container, so Prometheus can scrape
    metrics_port: int = 9101
    idle_timeout_s: float = 30.0
    reclaim_interval_s: float | None = None     # None: a third of idle_timeout_s
    liveness_ttl_s: float = 3.0                 # a consumer silent this long is dead; refreshed every third
    max_deliveries: int = 5
    read_block_ms: int = 1000
    drain_timeout_s: float = 30.0
    cache_ttl_s: int = 24 * 3600
    llm_model: str = DEFAULT_MODEL
    llm_timeout_s: float = 10.0
    llm_max_retries: int = 2
    llm_parse_attempts: int = 3
    llm_max_tokens: int = 256
    anthropic_base_url: str | None = None
    anthropic_api_key: str | None = field(default=None, repr=False)
    anthropic_auth_token: str | None = field(default=None, repr=False)
    prefilter_rules_path: Path = PACKAGE_DIR / "prefilter_rules.yaml"
    prices_path: Path = PACKAGE_DIR / "prices.yaml"
    db_statement_timeout_ms: int = 5000
    db_pool_timeout_s: float = 5.0
    log_level: str = "info"

    @property
    def reclaim_every_s(self) -> float:
        if self.reclaim_interval_s is not None:
            return self.reclaim_interval_s
        return max(0.05, self.idle_timeout_s / 3)

    @property
    def liveness_refresh_s(self) -> float:
        return self.liveness_ttl_s / 3

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if env is None else env
        base = Settings.from_env(env)
        read = _Reader(env)
        settings = cls(
            database_url=base.database_url,
            redis_url=base.redis_url,
            stream=base.guardrail_stream,
            group=env.get("GUARDRAIL_GROUP") or DEFAULT_GROUP,
            dead_stream=env.get("GUARDRAIL_DEAD_STREAM") or DEFAULT_DEAD_STREAM,
            consumer_name=env.get("WORKER_CONSUMER_NAME") or default_consumer_name(),
            concurrency=read.integer("WORKER_CONCURRENCY", 5),
            metrics_host=env.get("WORKER_METRICS_HOST") or "127.0.0.1",
            metrics_port=read.integer("WORKER_METRICS_PORT", 9101),
            idle_timeout_s=read.number("GUARDRAIL_IDLE_TIMEOUT_S", 30.0),
            reclaim_interval_s=read.optional_float("GUARDRAIL_RECLAIM_INTERVAL_S"),
            liveness_ttl_s=read.number("GUARDRAIL_LIVENESS_TTL_S", 3.0),
            max_deliveries=read.integer("GUARDRAIL_MAX_DELIVERIES", 5),
            read_block_ms=read.integer("GUARDRAIL_READ_BLOCK_MS", 1000),
            drain_timeout_s=read.number("WORKER_DRAIN_TIMEOUT_S", base.shutdown_timeout_s),
            cache_ttl_s=read.integer("GUARDRAIL_CACHE_TTL_S", 24 * 3600),
            llm_model=env.get("GUARDRAIL_MODEL") or DEFAULT_MODEL,
            llm_timeout_s=read.number("GUARDRAIL_LLM_TIMEOUT_S", 10.0),
            llm_max_retries=read.integer("GUARDRAIL_LLM_MAX_RETRIES", 2),
            llm_parse_attempts=read.integer("GUARDRAIL_LLM_PARSE_ATTEMPTS", 3),
            llm_max_tokens=read.integer("GUARDRAIL_LLM_MAX_TOKENS", 256),
            anthropic_base_url=env.get("ANTHROPIC_BASE_URL") or None,
            anthropic_api_key=env.get("ANTHROPIC_API_KEY") or None,
            anthropic_auth_token=env.get("ANTHROPIC_AUTH_TOKEN") or None,
            prefilter_rules_path=Path(env.get("GUARDRAIL_PREFILTER_RULES") or cls.prefilter_rules_path),
            prices_path=Path(env.get("GUARDRAIL_PRICES") or cls.prices_path),
            db_statement_timeout_ms=base.db_statement_timeout_ms,
            db_pool_timeout_s=base.db_pool_timeout_s,
            log_level=base.log_level,
        )
        read.raise_if_any()
        return settings

    def with_overrides(self, **overrides: Any) -> WorkerSettings:
        """A copy with the given (non-None) values, e.g. from command-line flags."""
        return replace(self, **{key: value for key, value in overrides.items() if value is not None})

    def problems(self) -> list[str]:
        """Every invalid value, each naming its setting, the limit and the value found."""
        checks = [
            ("concurrency", self.concurrency >= 1, ">= 1"),
            ("metrics_port", 0 <= self.metrics_port <= 65535, "a port number (0 picks a free one)"),
            ("idle_timeout_s", self.idle_timeout_s > 0, "> 0"),
            ("liveness_ttl_s", 0.3 <= self.liveness_ttl_s <= 3600, "between 0.3 and 3600"),
            ("max_deliveries", self.max_deliveries >= 1, ">= 1"),
            ("read_block_ms", 1 <= self.read_block_ms <= 60_000, "between 1 and 60000"),
            ("drain_timeout_s", self.drain_timeout_s >= 0, ">= 0"),
            ("cache_ttl_s", self.cache_ttl_s >= 1, ">= 1"),
            ("llm_timeout_s", self.llm_timeout_s > 0, "> 0"),
            ("llm_max_retries", self.llm_max_retries >= 0, ">= 0"),
            ("llm_parse_attempts", self.llm_parse_attempts >= 1, ">= 1"),
            ("llm_max_tokens", self.llm_max_tokens >= 16, ">= 16"),
        ]
        found = [f"{name} must be {rule}, but is {getattr(self, name)!r}" for name, ok, rule in checks if not ok]
        if not (self.anthropic_api_key or self.anthropic_auth_token):
            # Without a credential every model call would fail and every job end in needs_review.
            found.append("ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) must be set; the stack sets one for "
                         "the bundled emulator")
        if self.reclaim_interval_s is not None and self.reclaim_interval_s <= 0:
            found.append(f"reclaim_interval_s must be > 0, but is {self.reclaim_interval_s!r}")
        return found


class _Reader:
    """Reads typed variables and collects every malformed one, so one error lists them all."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.errors: list[str] = []

    def _raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value if value not in (None, "") else None

    def integer(self, name: str, default: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            self.errors.append(f"{name} must be an integer, but is {raw!r}")
            return default

    def number(self, name: str, default: float) -> float:
        value = self.optional_float(name)
        return default if value is None else value

    def optional_float(self, name: str) -> float | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            return float(raw)
        except ValueError:
            self.errors.append(f"{name} must be a number, but is {raw!r}")
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ConfigError("; ".join(self.errors))
