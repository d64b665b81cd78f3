"""Judging a plan's goals: pure functions over a `RunResult` and a `ReconciliationReport`.

Each goal yields one `GoalOutcome` (pass, fail or warn) with the observed figure and the limit
as shown in the report. A goal without the data it needs fails, saying what was missing: a goal
is checked, never assumed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from harness.goals import samples
from harness.goals.model import GoalOutcome, GoalReport, ReconciliationReport
from harness.goals.spec import (
    DbPoolGoal,
    ErrorRateGoal,
    GoalSpec,
    LatencyGoal,
    MemoryGrowthGoal,
    NoDataLossGoal,
    QueueDrainedGoal,
    RedisMemoryGoal,
    RedisPolicyGoal,
)
from harness.metrics.hdr import decode, new_histogram
from harness.results.model import RunResult
from harness.samplers.redis_info import EVICTING_POLICIES

MIB = 1024 * 1024
SHOWN_ITEMS = 5


def evaluate_goals(goals: Sequence[GoalSpec], result: RunResult, reconciliation: ReconciliationReport | None,
                   *, plan_path: str = "", profile: str = "") -> GoalReport:
    outcomes = [evaluate_goal(goal, result, reconciliation) for goal in goals]
    return GoalReport(plan_path=plan_path or result.meta.plan_path, profile=profile or result.meta.profile,
                      outcomes=outcomes, reconciliation=reconciliation)


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


def _scenarios(result: RunResult, wanted: tuple[str, ...]) -> list[str]:
    return [name for name in result.scenarios if not wanted or name in wanted]


def judge_latency(goal: LatencyGoal, result: RunResult) -> GoalOutcome:
    limit = f"p({goal.percentile:g}) < {goal.max_ms:g} ms"
    names = _scenarios(result, goal.scenarios)
    histogram = new_histogram()
    count = 0
    for stats in result.requests:
        if stats.scenario in names and (goal.request is None or stats.name == goal.request):
            histogram.add(decode(stats.duration_ms.hdr))
            count += stats.count
    if count == 0:
        return _no_data(goal, limit, f"no requests in {', '.join(names) or 'the run'}")
    value_ms = histogram.get_value_at_percentile(goal.percentile) / 1000.0
    return _outcome(goal, value_ms < goal.max_ms, f"{value_ms:.1f} ms", limit,
                    f"{count} requests in {', '.join(names)}")


def judge_error_rate(goal: ErrorRateGoal, result: RunResult) -> GoalOutcome:
    limit = f"< {goal.max_rate:.2%}"
    names = _scenarios(result, goal.scenarios)
    requests = sum(result.scenarios[n].requests for n in names)
    failed: dict[str, int] = {}
    for name in names:
        for kind, count in result.scenarios[name].failures.items():
            if kind != "check":
                failed[kind] = failed.get(kind, 0) + count
    if requests == 0:
        return _no_data(goal, limit, "no requests")
    rate = sum(failed.values()) / requests
    by_class = ", ".join(f"{k}: {v}" for k, v in sorted(failed.items()) if v) or "none"
    return _outcome(goal, rate < goal.max_rate, f"{rate:.2%}", limit,
                    f"{sum(failed.values())} of {requests} requests failed ({by_class})")


def judge_db_pool(goal: DbPoolGoal, result: RunResult) -> GoalOutcome:
    limit = f"timeouts +{goal.max_timeouts}, waiting <= {goal.max_waiting:g}"
    url = samples.source_url(result, "api")
    timeouts = samples.series(result, "db_pool_timeouts_total", url=url)
    waiting = samples.series(result, "db_pool_waiting", url=url)
    if len(timeouts) < 2 or not waiting:
        return _no_data(goal, limit, "fewer than 2 samples of the API's db_pool_timeouts_total / db_pool_waiting")
    delta = timeouts[-1][1] - timeouts[0][1]
    peak = max(v for _, v in waiting)
    ok = delta <= goal.max_timeouts and peak <= goal.max_waiting
    return _outcome(goal, ok, f"timeouts +{delta:g}, waiting max {peak:g}", limit,
                    f"{len(timeouts)} samples of {url}")


def judge_queue_drained(goal: QueueDrainedGoal, result: RunResult) -> GoalOutcome:
    within_s = goal.within_s * result.meta.duration_scale
    limit = f"empty within {within_s:.0f} s of the load's end"
    points = samples.series(result, goal.metric)
    if not points:
        return _no_data(goal, limit, f"{goal.metric} was not sampled")
    end_s = samples.load_end_s(result)
    peak = max(v for _, v in points)
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
    rss = samples.series(result, "process_resident_memory_bytes", url=url)
    if len(rss) < 2:
        return _no_data(goal, limit, f"fewer than 2 samples of the {goal.source}'s process_resident_memory_bytes")
    starts = {v for _, v in samples.series(result, "process_start_time_seconds", url=url)}
    first, last, peak = rss[0][1], rss[-1][1], max(v for _, v in rss)
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
    if not redis:
        return _no_data(goal, limit, "Redis INFO was not sampled")
    peak = max(s.used_memory or 0 for s in redis)
    maxmemory = next((s.maxmemory for s in redis if s.maxmemory), None)
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
    LatencyGoal: judge_latency,
    ErrorRateGoal: judge_error_rate,
    DbPoolGoal: judge_db_pool,
    QueueDrainedGoal: judge_queue_drained,
    MemoryGrowthGoal: judge_memory_growth,
    RedisMemoryGoal: judge_redis_memory,
    RedisPolicyGoal: judge_redis_policy,
    NoDataLossGoal: judge_no_data_loss,
}
