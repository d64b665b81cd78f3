"""Fixed-window rate limits in Redis, atomic under any concurrency.

The seed's limiter (6.4) runs INCR+PTTL in MULTI and PEXPIRE in a second round trip: a crash in
between leaves a counter with no expiry and locks its owner out for good (DESIGN.md §5). Here one
Lua script does INCR, then PEXPIRE whenever the count is 1 or the key has no TTL, and returns the
count and the TTL, for every class of a request in a single round trip. Redis runs a script
atomically, so M concurrent requests against a limit of N let exactly N through, and every key
the script touches has an expiry when the script returns.

Keys are `rl:<class>:{<identity>}`; the hash tag keeps one identity's keys in one cluster slot so
the multi-key script stays valid on Redis Cluster.

Failed authentication has a class of its own, `auth_failure`, counted per client IP: only
failures count (`hit` when a credential is refused), and `peek` reads the count without adding
to it, so a caller can refuse work (a database lookup) for an IP that has used up its failures.
Its default is `DEFAULT_AUTH_FAILURE_LIMIT` when the settings name no such class.

Redis down → fail OPEN. The limiter protects cost and fairness, not correctness; refusing all
traffic because the limiter's store is unreachable would turn a Redis outage into a full API
outage. Each failure increments `rate_limit_backend_errors_total`, and a warning is logged at most
once per `WARN_INTERVAL_S`, so the outage is visible without flooding the log.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .config import RateLimit
from .metrics import Metrics

WARN_INTERVAL_S = 5.0

_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local window_ms = tonumber(ARGV[i])
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, window_ms)
    ttl = window_ms
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
"""

# The count and the remaining TTL of one key, without touching it (0 and 0 when absent).
_PEEK_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {count, ttl}
"""

AUTH_FAILURE_CLASS = "auth_failure"
# 20 refused credentials per client IP per minute; then 429 until the window ends (docs/auth.md).
DEFAULT_AUTH_FAILURE_LIMIT = RateLimit(20, window_s=60)

_log = structlog.get_logger(logger_name="app.ratelimit")


@dataclass(frozen=True)
class Decision:
    """The outcome for one class: the count in this window and how long the window still runs."""

    class_name: str
    limit: int
    count: int
    ttl_ms: int
    now_ms: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def retry_after_s(self) -> int:
        return max(1, math.ceil(self.ttl_ms / 1000))

    def headers(self) -> dict[str, str]:
        reset_s = math.ceil((self.now_ms + self.ttl_ms) / 1000)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(reset_s),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_s)
        return headers


def binding(decisions: Sequence[Decision]) -> Decision:
    """The decision to report: a rejecting class first, else the one with the least headroom."""
    rejected = [d for d in decisions if not d.allowed]
    pool = rejected or list(decisions)
    return min(pool, key=lambda d: (d.remaining, -d.ttl_ms))


def rate_limit_key(class_name: str, identity: str) -> str:
    return f"rl:{class_name}:{{{identity}}}"


class RateLimiter:
    def __init__(
        self,
        redis: Redis,
        limits: Mapping[str, RateLimit],
        metrics: Metrics,
        *,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._limits = {AUTH_FAILURE_CLASS: DEFAULT_AUTH_FAILURE_LIMIT, **limits}
        self._metrics = metrics
        self._clock_ms = clock_ms
        self._script = redis.register_script(_SCRIPT)
        self._peek_script = redis.register_script(_PEEK_SCRIPT)
        self._last_warning = -math.inf

    def limit_for(self, class_name: str) -> RateLimit:
        return self._limits[class_name]

    async def hit(self, class_names: Sequence[str], identity: str) -> list[Decision] | None:
        """Count one request against each class for `identity`; None when Redis failed (fail open)."""
        limits = [self._limits[name] for name in class_names]
        keys = [rate_limit_key(name, identity) for name in class_names]
        windows_ms = [limit.window_s * 1000 for limit in limits]
        try:
            raw = await self._script(keys=keys, args=windows_ms)
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            self._backend_failed(exc)
            return None
        now_ms = self._clock_ms()
        return [
            Decision(name, limit.limit, int(raw[2 * i]), int(raw[2 * i + 1]), now_ms)
            for i, (name, limit) in enumerate(zip(class_names, limits, strict=True))
        ]

    async def peek(self, class_name: str, identity: str) -> Decision | None:
        """The class's count so far for `identity`, not counting this call; None when Redis failed.

        The decision is "allowed" while one more hit would still be within the limit."""
        limit = self._limits[class_name]
        try:
            count, ttl_ms = await self._peek_script(keys=[rate_limit_key(class_name, identity)])
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            self._backend_failed(exc)
            return None
        return Decision(class_name, limit.limit, int(count) + 1, int(ttl_ms) or limit.window_s * 1000,
                        self._clock_ms())

    def _backend_failed(self, exc: BaseException) -> None:
        self._metrics.rate_limit_backend_errors.inc()
        now = time.monotonic()
        if now - self._last_warning >= WARN_INTERVAL_S:
            self._last_warning = now
            _log.warning("rate limiter backend unavailable; failing open", error=repr(exc))
