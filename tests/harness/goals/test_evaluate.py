"""Goal judgement on results built with known figures (pure, exact)."""

from __future__ import annotations

import pytest

from harness.goals import ReconciliationReport, UnaccountedItem, evaluate_goals, parse_goals
from harness.goals.evaluate import MAX_LISTED_UNACCOUNTED, evaluate_goal
from tests.harness.goals.builders import build_result, prom, scenario

API = "http://127.0.0.1:1/metrics"
WORKER = "http://127.0.0.1:2/metrics"


def goal(**raw: object):
    goals, problems = parse_goals([{"name": "g", **raw}])
    assert problems == []
    return goals[0]


def test_db_pool_judges_the_timeout_delta_and_peak_waiting_of_the_api() -> None:
    samples = [prom(0, API, db_pool_size=20, db_pool_timeouts_total=4, db_pool_waiting=0),
               prom(1, API, db_pool_size=20, db_pool_timeouts_total=4, db_pool_waiting=12),
               prom(2, API, db_pool_size=20, db_pool_timeouts_total=4, db_pool_waiting=3)]
    result = build_result(prometheus=samples)
    assert evaluate_goal(goal(kind="db_pool", max_waiting=12), result, None).status == "pass"
    assert evaluate_goal(goal(kind="db_pool", max_waiting=11), result, None).status == "fail"
    samples[2]["values"]["db_pool_timeouts_total"] = 5
    outcome = evaluate_goal(goal(kind="db_pool", max_waiting=50), build_result(prometheus=samples), None)
    assert (outcome.status, outcome.observed) == ("fail", "timeouts +1, waiting max 12")


def test_db_pool_counts_timeouts_across_an_api_restart_as_prometheus_increase_does() -> None:
    samples = [prom(0, API, db_pool_size=20, db_pool_timeouts_total=4, db_pool_waiting=0),
               prom(1, API, db_pool_size=20, db_pool_timeouts_total=6, db_pool_waiting=0),
               prom(2, API, db_pool_size=20, db_pool_timeouts_total=1, db_pool_waiting=0)]  # restarted, counted 1 since
    outcome = evaluate_goal(goal(kind="db_pool", max_waiting=50), build_result(prometheus=samples), None)
    assert (outcome.status, outcome.observed) == ("fail", "timeouts +3, waiting max 0")


def test_series_keys_with_labels_are_summed_over_their_label_sets() -> None:
    samples = [prom(t, WORKER, guardrail_pending_jobs=0, **{'guardrail_queue_length{stream="a"}': q,
                                                          'guardrail_queue_length{stream="b"}': q})
               for t, q in ((0, 5), (20, 0))]
    result = build_result(scenarios={"flood": scenario(requests=1, duration_s=10)}, prometheus=samples)
    outcome = evaluate_goal(goal(kind="queue_drained", within="1m"), result, None)
    assert (outcome.status, outcome.observed, outcome.detail.split(";")[0]) == ("pass", "empty 10 s after the load",
                                                                              "peak 10 jobs")


def test_queue_drained_is_the_first_empty_sample_after_the_load_scaled_by_the_profile() -> None:
    samples = [prom(t, WORKER, guardrail_queue_length=q, guardrail_pending_jobs=0)
               for t, q in ((5, 0), (10, 80), (20, 40), (40, 0))]
    result = build_result(scenarios={"flood": scenario(requests=1, duration_s=10)}, prometheus=samples,
                          duration_scale=0.1)
    ok = evaluate_goal(goal(kind="queue_drained", within="5m"), result, None)  # 300 s x 0.1 = 30 s
    assert (ok.status, ok.observed) == ("pass", "empty 30 s after the load")
    late = evaluate_goal(goal(kind="queue_drained", within="4m"), result, None)
    assert late.status == "fail"
    stuck = build_result(scenarios={"flood": scenario(requests=1, duration_s=10)}, prometheus=samples[:3])
    assert evaluate_goal(goal(kind="queue_drained", within="10m"), stuck, None).observed == "40 jobs left at 10 s"


def test_memory_growth_bounds_the_ratio_and_catches_a_restart() -> None:
    mib = 1024 * 1024
    def samples(start2: float) -> list[dict]:
        return [prom(0, WORKER, guardrail_pending_jobs=0, process_resident_memory_bytes=100 * mib, process_start_time_seconds=1),
                prom(9, WORKER, guardrail_pending_jobs=0, process_resident_memory_bytes=140 * mib, process_start_time_seconds=start2)]
    assert evaluate_goal(goal(kind="memory_growth", max_growth_ratio=1.5), build_result(prometheus=samples(1)), None).status == "pass"
    assert evaluate_goal(goal(kind="memory_growth", max_growth_ratio=1.3), build_result(prometheus=samples(1)), None).status == "fail"
    restarted = evaluate_goal(goal(kind="memory_growth", max_growth_ratio=9), build_result(prometheus=samples(7)), None)
    assert restarted.status == "fail" and "restarted" in restarted.detail


def test_redis_memory_and_policy() -> None:
    mib = 1024 * 1024
    redis = [{"t_s": 0, "used_memory": 10 * mib, "maxmemory": 100 * mib, "maxmemory_policy": "allkeys-lru", "evicted_keys": 5},
             {"t_s": 1, "used_memory": 70 * mib, "maxmemory": 100 * mib, "maxmemory_policy": "allkeys-lru", "evicted_keys": 5}]
    result = build_result(redis=redis)
    assert evaluate_goal(goal(kind="redis_memory", max_used_ratio=0.8), result, None).status == "pass"
    assert evaluate_goal(goal(kind="redis_memory", max_used_ratio=0.6), result, None).status == "fail"
    redis[1]["evicted_keys"] = 6
    assert evaluate_goal(goal(kind="redis_memory", max_used_ratio=0.8), build_result(redis=redis), None).status == "fail"
    policy = evaluate_goal(goal(kind="redis_policy"), result, None)
    assert (policy.status, policy.observed) == ("warn", "allkeys-lru")
    report = evaluate_goals([goal(kind="redis_policy")], result, None)
    assert report.ok  # a warning row never fails the plan


def test_no_data_loss_fails_on_anything_unaccounted_or_missing_report() -> None:
    result = build_result()
    clean = ReconciliationReport(problems_recorded=3, problems_final=2, problems_pending=1, agents_recorded=2, agents_verified=2)
    assert evaluate_goal(goal(kind="no_data_loss"), result, clean).status == "pass"
    assert evaluate_goal(goal(kind="no_data_loss", allow_pending=False), result, clean).status == "fail"
    lost = clean.model_copy(update={"lost_agents": [UnaccountedItem(kind="agent", id="a1", reason="401")]})
    outcome = evaluate_goal(goal(kind="no_data_loss"), result, lost)
    assert outcome.status == "fail" and "agent a1: 401" in outcome.detail
    assert evaluate_goal(goal(kind="no_data_loss"), result, None).observed == "no data"


def test_the_verdict_lists_what_reconciliation_could_not_account_for_capped() -> None:
    missing = [UnaccountedItem(kind="problem", id=f"p{i}", reason="404") for i in range(MAX_LISTED_UNACCOUNTED + 7)]
    report = ReconciliationReport(problems_recorded=len(missing), missing=missing, notes=["scan capped"])
    verdict = evaluate_goals([goal(kind="no_data_loss"), goal(kind="redis_policy", name="p")], build_result(), report,
                             notes=["an input note"])
    assert not verdict.ok and [o.status for o in verdict.outcomes] == ["fail", "fail"]  # no Redis samples: no data
    assert len(verdict.unaccounted) == MAX_LISTED_UNACCOUNTED and verdict.unaccounted_total == len(missing)
    assert verdict.notes == ["an input note", "scan capped"]


@pytest.mark.parametrize(("raw", "expected"), [
    ({"name": "x", "kind": "db_pool"}, ("goals[1].max_waiting", "Field required")),
    ({"name": "x", "kind": "speed"}, ("goals[1].kind", "must be one of db_pool, queue_drained, memory_growth, "
                                                       "redis_memory, redis_policy, no_data_loss, but is 'speed'")),
    ({"name": "x", "kind": "db_pool", "max_waiting": 1, "extra": 1}, ("goals[1].extra", "Extra inputs are not permitted")),
])
def test_bad_goals_name_the_key(raw: dict, expected: tuple[str, str]) -> None:
    assert parse_goals([raw])[1] == [expected]
