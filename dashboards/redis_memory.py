"""Redis memory from the run's INFO samples, and the eviction policy check. The share of the limit
is peak `used_memory` / `maxmemory` (`harness.results.samples.redis_headroom`, as the report and
the cost projection read it): the figure Redis itself evicts or refuses writes by. RSS is shown
beside it (seed 8.7 watched it), never divided by the limit.

The Redis that holds the guardrail job stream must not evict: any `maxmemory_policy` other than
`noeviction` may drop queued jobs under memory pressure (DESIGN.md §5; the seed recommends
`allkeys-lru`, which is the fault). Pure functions of `Samples`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from harness.results import RedisHeadroom, RedisSample, Samples, redis_headroom

SAFE_POLICY = "noeviction"


@dataclass(frozen=True)
class RedisSummary:
    t_s: tuple[float, ...]
    used_memory: tuple[float | None, ...]  # bytes
    used_memory_rss: tuple[float | None, ...]
    headroom: RedisHeadroom | None  # peak used_memory against maxmemory; None: no used_memory sampled
    policy: str | None  # the last one reported
    evictions: tuple[float, ...]  # keys evicted since the first sample, at each sample

    @property
    def maxmemory(self) -> int | None:
        """Bytes; None when never reported or 0 (no limit)."""
        return self.headroom.maxmemory_bytes if self.headroom is not None else None

    @property
    def peak_used(self) -> float | None:
        return self.headroom.peak_used_bytes if self.headroom is not None else None

    @property
    def peak_rss(self) -> float | None:
        return max((v for v in self.used_memory_rss if v is not None), default=None)

    @property
    def evicted(self) -> float:
        return self.evictions[-1] if self.evictions else 0.0

    @property
    def evicting_policy(self) -> bool:
        return policy_can_evict(self.policy)

    @property
    def used_share(self) -> float | None:
        """Peak used_memory / maxmemory; None without a limit."""
        return self.headroom.used_share if self.headroom is not None else None


@dataclass(frozen=True)
class RunPeak:
    """The highest memory one run saw, for the peak-per-run chart."""

    key: str
    run_id: str
    started_at: datetime
    peak_used: float | None
    peak_rss: float | None
    maxmemory: int | None
    used_share: float | None = None  # peak used_memory / maxmemory (the run's RedisHeadroom)


def policy_can_evict(policy: str | None) -> bool:
    return policy is not None and policy != SAFE_POLICY


def policy_warning(policy: str) -> str:
    return (f"Redis maxmemory_policy is {policy}: under memory pressure Redis evicts keys, and the guardrail "
            f"job queue lives in the same Redis, so queued jobs can be lost. Set maxmemory-policy {SAFE_POLICY} "
            "(or give the queue its own instance); seed 8.7's allkeys-lru is the fault.")


def redis_summary(samples: Samples) -> RedisSummary | None:
    points = sorted(samples.redis, key=lambda s: s.t_s)
    if not points:
        return None
    policies = [s.maxmemory_policy for s in points if s.maxmemory_policy]
    return RedisSummary(
        t_s=tuple(s.t_s for s in points),
        used_memory=tuple(_float(s.used_memory) for s in points),
        used_memory_rss=tuple(_float(s.used_memory_rss) for s in points),
        headroom=redis_headroom(samples),
        policy=policies[-1] if policies else None,
        evictions=_evictions(points),
    )


def run_peak(key: str, run_id: str, started_at: datetime, samples: Samples) -> RunPeak | None:
    summary = redis_summary(samples)
    if summary is None or (summary.peak_used is None and summary.peak_rss is None):
        return None
    return RunPeak(key=key, run_id=run_id, started_at=started_at, peak_used=summary.peak_used,
                   peak_rss=summary.peak_rss, maxmemory=summary.maxmemory, used_share=summary.used_share)


def _evictions(points: Sequence[RedisSample]) -> tuple[float, ...]:
    """Cumulative evictions since the first sample (INFO counts since the server started)."""
    counts = [s.evicted_keys for s in points]
    first = next((c for c in counts if c is not None), None)
    if first is None:
        return ()
    running, previous, out = 0.0, first, []
    for count in counts:
        if count is not None:
            running += count - previous if count >= previous else count  # a restart counts from zero
            previous = count
        out.append(running)
    return tuple(out)


def _float(value: int | None) -> float | None:
    return float(value) if value is not None else None
