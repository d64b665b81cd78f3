"""Settings of the platform under test, read once from the environment.

Every process of the platform (API, worker, LLM emulator, migrations, seeder) reads the same
variables, so one `.env` describes a deployment. Units are in the names and converted here, once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class RateLimit:
    """`limit` requests per `window_s` seconds for one key."""

    limit: int
    window_s: int = 60


# The seed's five classes (6.4). `loadtest` keeps the classes but lifts the ceilings so that a
# staging-like run measures the platform rather than its limiter (DESIGN.md §5).
RATE_LIMIT_PROFILES: dict[str, dict[str, RateLimit]] = {
    "default": {
        "agent": RateLimit(60),
        "human": RateLimit(120),
        "auth": RateLimit(10),
        "public": RateLimit(300),
        "content_create": RateLimit(20),
        "auth_failure": RateLimit(20),  # refused credentials per client IP (docs/auth.md)
    },
    "loadtest": {
        "agent": RateLimit(100_000),
        "human": RateLimit(100_000),
        "auth": RateLimit(1_000_000),
        "public": RateLimit(1_000_000),
        "content_create": RateLimit(100_000),
        "auth_failure": RateLimit(1_000_000),
    },
}

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/betterworld"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, but is {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, but is {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, but is {raw!r}") from None


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if not 0 < value < float("inf"):
        raise ConfigError(f"{name} must be a number of seconds > 0, but is {value}")
    return value


def _rate_limits(env: Mapping[str, str]) -> dict[str, RateLimit]:
    profile = env.get("RATE_LIMIT_PROFILE", "default")
    if profile not in RATE_LIMIT_PROFILES:
        known = ", ".join(sorted(RATE_LIMIT_PROFILES))
        raise ConfigError(f"RATE_LIMIT_PROFILE must be one of {known}, but is {profile!r}")
    limits = dict(RATE_LIMIT_PROFILES[profile])
    # Per-class overrides, e.g. RATE_LIMIT_AGENT=600 (requests per minute).
    for name in list(limits):
        override = f"RATE_LIMIT_{name.upper()}"
        if env.get(override):
            limits[name] = RateLimit(_int(env, override, 0, minimum=1))
    return limits


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    host: str = "127.0.0.1"
    port: int = 4000
    environment: str = "dev"
    # JWT: verification tries `jwt_secret`, then `jwt_secret_previous` (seed 6.1 dual-key rotation).
    jwt_secret: str = field(default="dev-only-jwt-secret-change-me", repr=False)
    jwt_secret_previous: str | None = field(default=None, repr=False)
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 7 * 24 * 3600
    # Keyed hash (HMAC) for API keys: a leaked table alone does not allow offline guessing.
    api_key_pepper: str = field(default="dev-only-api-key-pepper", repr=False)
    rate_limits: dict[str, RateLimit] = field(default_factory=lambda: dict(RATE_LIMIT_PROFILES["default"]))
    db_pool_min: int = 2
    db_pool_max: int = 20
    db_pool_timeout_s: float = 5.0
    db_statement_timeout_ms: int = 5000
    evidence_dir: Path = Path(".bwperf/evidence")
    evidence_max_bytes: int = 10 * 1024 * 1024
    max_json_body_bytes: int = 1024 * 1024
    shutdown_timeout_s: float = 30.0
    # Read limits for hostile or broken clients (docs/api-limits.md): the request head within
    # header_timeout_s; a body gets body_timeout_s of waiting plus 1 s per body_min_rate bytes.
    header_timeout_s: float = 10.0
    keepalive_timeout_s: float = 75.0
    body_timeout_s: float = 10.0
    body_min_rate_bytes_per_s: int = 32 * 1024
    guardrail_stream: str = "guardrail:jobs"
    git_sha: str = "dev"
    log_level: str = "info"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
            host=env.get("API_HOST", "127.0.0.1"),
            port=_int(env, "API_PORT", 4000, minimum=0),
            environment=env.get("BW_ENV", "dev"),
            jwt_secret=env.get("JWT_SECRET") or cls.jwt_secret,
            jwt_secret_previous=env.get("JWT_SECRET_PREVIOUS") or None,
            api_key_pepper=env.get("API_KEY_PEPPER") or cls.api_key_pepper,
            rate_limits=_rate_limits(env),
            db_pool_min=_int(env, "DB_POOL_MIN", 2, minimum=0),
            db_pool_max=_int(env, "DB_POOL_MAX", 20, minimum=1),
            db_pool_timeout_s=_float(env, "DB_POOL_TIMEOUT_S", 5.0),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 5000, minimum=1),
            evidence_dir=Path(env.get("EVIDENCE_DIR", ".bwperf/evidence")),
            evidence_max_bytes=_int(env, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1),
            shutdown_timeout_s=_float(env, "SHUTDOWN_TIMEOUT_S", 30.0),
            header_timeout_s=_positive(env, "API_HEADER_TIMEOUT_S", 10.0),
            keepalive_timeout_s=_positive(env, "API_KEEPALIVE_TIMEOUT_S", 75.0),
            body_timeout_s=_positive(env, "API_BODY_TIMEOUT_S", 10.0),
            body_min_rate_bytes_per_s=_int(env, "API_BODY_MIN_RATE_BYTES_PER_S", 32 * 1024, minimum=1),
            git_sha=env.get("GIT_SHA", "dev"),
            log_level=env.get("LOG_LEVEL", "info").lower(),
        )
