"""Judging a plan's goals: pure functions over a `RunResult` and a `ReconciliationReport`.

Each goal yields one `GoalOutcome` (pass, fail or warn) with the observed figure and the limit
as shown in the report; `evaluate_goals` gathers them into the `GoalsVerdict` that the run result
carries (`RunResult.goals`). A goal without the data it needs fails, saying what was missing: a
goal is checked, never assumed. Series are read through `harness.results.samples` (counters with
their resets, as Prometheus's `increase()`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from harness.goals import samples
from harness.goals.model import GoalOutcome, GoalsVerdict, ReconciliationReport
from harness.goals.spec import (
    DbPoolGoal,
    GoalSpec,
    MemoryGrowthGoal,
    NoDataLossGoal,
    QueueDrainedGoal,
    RedisMemoryGoal,
    RedisPolicyGoal,
)
from harness.results.model import RunResult
from harness.results.samples import EMPTY, cumulative_increase, gauge, redis_headroom
from harness.samplers.redis_info import EVICTING_POLICIES

MIB = 1024 * 1024
SHOWN_ITEMS = 5  # unaccounted items named in the no_data_loss goal's detail
MAX_LISTED_UNACCOUNTED = 50  # unaccounted items the result lists (reconciliation.json has them all)


def evaluate_goals(goals: Sequence[GoalSpec], result: RunResult, reconciliation: ReconciliationReport | None,
                   *, notes: Sequence[str] = ()) -> GoalsVerdict:
    """Every goal judged, with what the reconciliation could not account for; `notes` say why an
    input was missing (they join the reconciliation's own notes)."""
    outcomes = [evaluate_goal(goal, result, reconciliation) for goal in goals]
    unaccounted = reconciliation.unaccounted if reconciliation is not None else []
    return GoalsVerdict(outcomes=outcomes, unaccounted=unaccounted[:MAX_LISTED_UNACCOUNTED],
                        unaccounted_total=len(unaccounted),
                        notes=[*notes, *(reconciliation.notes if reconciliation is not None else [])])


def evaluate_goal(goal: GoalSpec, result: RunResult, reconciliation: ReconciliationReport | None) -> GoalOutcome:
    judge: Callable[..., GoalOutcome] = _JUDGES[type(goal)]
    if isinstance(goal, NoDataLossGoal):
        return judge(goal, reconciliation)
    return judge(goal, result)


def _outcome(goal: GoalSpec, ok: bool, observed: str, limit: str, detail: str = "") -> GoalOutcome:
    return GoalOutcome(name=goal.name, kind=goal.kind, status="pass" if ok else "fail", observed=observed,
                       limit=limit, detail=detail)


def _no_data(goal: GoalSpec, limit: str, what: str) -> GoalOutcome:
    return GoalOutcome(name=goal.name, kind=goal.kind, status="fail", observed="no data", limit=limit,
                       detail=f"not judged: {what}")


def judge_db_pool(goal: DbPoolGoal, result: RunResult) -> GoalOutcome:
    limit = f"timeouts +{goal.max_timeouts}, waiting <= {goal.max_waiting:g}"
    url = samples.source_url(result, "api")
    _, points = samples.scrapes(result, "db_pool_timeouts_total", url=url) if url else (None, [])
    timeouts = cumulative_increase(points, "db_pool_timeouts_total")
    waiting = gauge(points, "db_pool_waiting")
    if len(timeouts.t_s) < 2 or not waiting:
        return _no_data(goal, limit, "fewer than 2 samples of the API's db_pool_timeouts_total / db_pool_waiting")
    delta = timeouts.values[-1]
    peak = max(waiting.values)
    ok = delta <= goal.max_timeouts and peak <= goal.max_waiting
    return _outcome(goal, ok, f"timeouts +{delta:g}, waiting max {peak:g}", limit,
                    f"{len(timeouts.t_s)} samples of {url}")


def judge_queue_drained(goal: QueueDrainedGoal, result: RunResult) -> GoalOutcome:
    within_s = goal.within_s * result.meta.duration_scale
    limit = f"empty within {within_s:.0f} s of the load's end"
    line = samples.series(result, goal.metric)
    if not line:
        return _no_data(goal, limit, f"{goal.metric} was not sampled")
    points = list(zip(line.t_s, line.values, strict=True))
    end_s = samples.load_end_s(result)
    peak = max(line.values)
    drained_at = next((t for t, v in points if t >= end_s and v == 0), None)
    if drained_at is None:
        last_t, last_v = points[-1]
        return _outcome(goal, False, f"{last_v:g} jobs left at {last_t - end_s:.0f} s", limit,
                        f"peak {peak:g} jobs")
    after_s = drained_at - end_s
    return _outcome(goal, after_s <= within_s, f"empty {after_s:.0f} s after the load", limit,
                    f"peak {peak:g} jobs; sampled every {result.samples.interval_s:g} s")


def judge_memory_growth(goal: MemoryGrowthGoal, result: RunResult) -> GoalOutcome:
    limit = f"last <= {goal.max_growth_ratio:g} x first" + (f", max <= {goal.max_bytes / MIB:.0f} MiB" if goal.max_bytes else "") + ", no restart"
    url = samples.source_url(result, goal.source)
    rss = samples.series(result, "process_resident_memory_bytes", url=url) if url else EMPTY
    if len(rss.values) < 2:
        found = "" if url else f" (no scraped URL exposes the {goal.source}'s metrics)"
        return _no_data(goal, limit, f"fewer than 2 samples of the {goal.source}'s process_resident_memory_bytes{found}")
    starts = set(samples.series(result, "process_start_time_seconds", url=url).values)
    first, last, peak = rss.values[0], rss.values[-1], max(rss.values)
    ratio = last / first if first else math.inf
    restarted = len(starts) > 1
    ok = ratio <= goal.max_growth_ratio and not restarted and (goal.max_bytes is None or peak <= goal.max_bytes)
    detail = f"{goal.source} ({url}): first {first / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB"
    if restarted:
        detail += f"; the process restarted ({len(starts)} start times)"
    return _outcome(goal, ok, f"{first / MIB:.1f} -> {last / MIB:.1f} MiB (x{ratio:.2f})", limit, detail)


def judge_redis_memory(goal: RedisMemoryGoal, result: RunResult) -> GoalOutcome:
    limit = f"used <= {goal.max_used_ratio:.0%} of maxmemory, evictions +{goal.max_evicted}"
    redis = [s for s in result.samples.redis if s.used_memory is not None]
    headroom = redis_headroom(result.samples)  # the one reading of Redis memory against its limit
    if not redis or headroom is None:
        return _no_data(goal, limit, "Redis INFO was not sampled")
    peak, maxmemory = headroom.peak_used_bytes, headroom.maxmemory_bytes
    evicted = [s.evicted_keys for s in redis if s.evicted_keys is not None]
    delta = (evicted[-1] - evicted[0]) if evicted else 0
    if maxmemory:
        ratio = peak / maxmemory
        observed = f"{peak / MIB:.1f} MiB of {maxmemory / MIB:.0f} MiB ({ratio:.1%}), evictions +{delta}"
        ok = ratio <= goal.max_used_ratio and delta <= goal.max_evicted
    else:
        observed = f"{peak / MIB:.1f} MiB, no maxmemory, evictions +{delta}"
        ok = delta <= goal.max_evicted
    return _outcome(goal, ok, observed, limit, f"{len(redis)} INFO samples")


def judge_redis_policy(goal: RedisPolicyGoal, result: RunResult) -> GoalOutcome:
    limit = "noeviction (a queue must not be evicted)"
    policies = sorted({s.maxmemory_policy for s in result.samples.redis if s.maxmemory_policy})
    if not policies:
        return _no_data(goal, limit, "Redis INFO was not sampled")
    evicting = [p for p in policies if p in EVICTING_POLICIES]
    status = "warn" if evicting else "pass"
    detail = ("the job broker can evict queued jobs under memory pressure (DESIGN.md §5); "
              "set maxmemory-policy noeviction or give the queue its own instance") if evicting else ""
    return GoalOutcome(name=goal.name, kind=goal.kind, status=status, observed=", ".join(policies), limit=limit,
                       detail=detail)


def judge_no_data_loss(goal: NoDataLossGoal, reconciliation: ReconciliationReport | None) -> GoalOutcome:
    limit = "0 missing, 0 stuck, 0 lost" + ("" if goal.allow_pending else ", 0 pending")
    if reconciliation is None:
        return _no_data(goal, limit, "no reconciliation report (the post-run checks did not run)")
    r = reconciliation
    items = r.unaccounted
    pending_bad = 0 if goal.allow_pending else r.problems_pending
    observed = (f"{len(r.missing)} missing, {len(r.stuck)} stuck, {len(r.lost_agents)} lost"
                + (f", {r.problems_pending} pending" if r.problems_pending else ""))
    detail = (f"{r.problems_recorded} problems ({r.problems_final} final, {r.problems_pending} pending), "
              f"{r.agents_verified}/{r.agents_recorded} agents authenticated; queue: {r.queue.stream_length} in stream, "
              f"{r.queue.pending} pending, {r.queue.dead_letter_length} dead-lettered")
    if items:
        shown = "; ".join(f"{i.kind} {i.id}: {i.reason}" for i in items[:SHOWN_ITEMS])
        detail += f". Unaccounted: {shown}" + (f" (+{len(items) - SHOWN_ITEMS} more)" if len(items) > SHOWN_ITEMS else "")
    nothing_checked = r.problems_recorded == 0 and r.agents_recorded == 0 and r.jobs_recorded == 0
    if nothing_checked:
        return _no_data(goal, limit, "the ledger recorded no writes")
    return _outcome(goal, not items and pending_bad == 0, observed, limit, detail)


_JUDGES: dict[type, Callable[..., GoalOutcome]] = {
    DbPoolGoal: judge_db_pool,
    QueueDrainedGoal: judge_queue_drained,
    MemoryGrowthGoal: judge_memory_growth,
    RedisMemoryGoal: judge_redis_memory,
    RedisPolicyGoal: judge_redis_policy,
    NoDataLossGoal: judge_no_data_loss,
}
