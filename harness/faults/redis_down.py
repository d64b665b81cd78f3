"""Valkey is down: the rate limiter fails open, as app/ratelimit.py documents, and says so.

The API runs the seed's default limits with the public class lowered to `public_limit` requests
per minute. With Valkey up, anonymous reads past the limit get 429. With Valkey stopped, the
same reads (and agent heartbeats) are all served: the limiter fails open rather than turning a
cache outage into an API outage, quickly (no request waits on a dead Redis for long), counts
each failure in `rate_limit_backend_errors_total`, and sends no rate-limit headers it cannot
know. Once Valkey is back, the limits apply again.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from harness.platform_client import PlatformClient, Reply

from .lab import FaultLab, register_agent
from .results import FaultResult, Figure

LATENCY_GOAL_S = 1.5        # the API's Redis timeouts are 1 s, with one immediate retry on a stale connection
REENFORCE_GOAL_S = 5.0
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RedisDownResult(FaultResult):
    public_limit: int
    limited_while_up: int
    requests_while_down: int
    served_while_down: int
    limited_while_down: int
    max_latency_while_down_s: float
    limit_headers_while_down: int
    backend_errors_counted: float
    limits_back_after_s: float | None

    @property
    def name(self) -> str:
        return "redis down: rate limiter fails open"

    def figures(self) -> list[Figure]:
        return [
            Figure.at_least("429s past the limit while redis is up", self.limited_while_up, 1),
            Figure.info("requests while redis is down", self.requests_while_down),
            Figure.at_least("served while down (over the limit)", self.served_while_down, self.requests_while_down),
            Figure.zero("429s while down", self.limited_while_down),
            Figure.at_most("max latency while down", self.max_latency_while_down_s, LATENCY_GOAL_S, "s"),
            Figure.zero("rate-limit headers while down", self.limit_headers_while_down),
            Figure.at_least("backend errors counted in /metrics", self.backend_errors_counted, 1),
            Figure.at_most("limits enforced again after redis returned", self.limits_back_after_s,
                           REENFORCE_GOAL_S, "s"),
        ]


def _seen(reply: Reply) -> tuple[int, float, bool]:
    """(status, latency, whether rate-limit headers came back) of one answer."""
    return reply.status, reply.elapsed_s, "X-RateLimit-Limit" in reply.headers


def run_redis_down(lab: FaultLab, *, public_limit: int = 5, requests_while_down: int = 20) -> RedisDownResult:
    """Exceed a small public limit with Valkey up, down, and up again."""
    api = lab.api(rate_limit_profile="default", RATE_LIMIT_PUBLIC=str(public_limit))
    key = register_agent(api.url, f"fault-redis-{secrets.token_hex(3)}")
    client = PlatformClient(api.url, read_timeout_s=REQUEST_TIMEOUT_S)
    back_after: float | None = None
    try:
        up = [_seen(client.list_problems(limit=1)) for _ in range(public_limit + 3)]
        lab.valkey.stop()
        down = [_seen(client.heartbeat(api_key=key) if index % 4 == 3 else client.list_problems(limit=1))
                for index in range(requests_while_down)]
        errors = api.metric("rate_limit_backend_errors_total")
        lab.valkey.start()
        back_at = time.monotonic()
        again = []
        while time.monotonic() - back_at < REENFORCE_GOAL_S + 5:
            again.append(_seen(client.list_problems(limit=1)))
            if again[-1][0] == 429:
                back_after = time.monotonic() - back_at
                break
            time.sleep(0.05)
    finally:
        client.close()
        lab.ensure_servers_running()
        lab.stop(api)
    return RedisDownResult(
        requests_tried=1 + len(up) + len(down) + len(again), faults_injected=1, public_limit=public_limit,
        limited_while_up=sum(1 for status, _, _ in up if status == 429),
        requests_while_down=len(down), served_while_down=sum(1 for status, _, _ in down if status == 200),
        limited_while_down=sum(1 for status, _, _ in down if status == 429),
        max_latency_while_down_s=round(max(latency for _, latency, _ in down), 3),
        limit_headers_while_down=sum(1 for _, _, headers in down if headers),
        backend_errors_counted=errors,
        limits_back_after_s=None if back_after is None else round(back_after, 3),
    )
