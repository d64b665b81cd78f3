"""Goal judgement on results built with known figures (pure, exact)."""

from __future__ import annotations

import pytest

from harness.goals import ReconciliationReport, UnaccountedItem, evaluate_goals, parse_goals
from harness.goals.evaluate import evaluate_goal
from tests.harness.goals.builders import build_result, prom, request, scenario

API = "http://127.0.0.1:1/metrics"
WORKER = "http://127.0.0.1:2/metrics"


def goal(**raw: object):
    goals, problems = parse_goals([{"name": "g", **raw}])
    assert problems == []
    return goals[0]


def test_latency_merges_the_named_scenarios_histograms_exactly() -> None:
    result = build_result(scenarios={"a": scenario(requests=10), "b": scenario(requests=10), "c": scenario(requests=1)},
                          requests=[request("a", "/x", [10.0] * 10), request("b", "/y", [300.0] * 10),
                                    request("c", "/z", [9000.0])])
    outcome = evaluate_goal(goal(kind="latency", scenarios=["a", "b"], percentile=50, max_ms=200), result, None)
    assert (outcome.status, outcome.observed) == ("pass", "10.0 ms")
    outcome = evaluate_goal(goal(kind="latency", scenarios=["a", "b"], percentile=95, max_ms=200), result, None)
    assert (outcome.status, outcome.observed) == ("fail", "300.0 ms")
    missing = evaluate_goal(goal(kind="latency", scenarios=["nope"], max_ms=1), result, None)
    assert (missing.status, missing.observed) == ("fail", "no data")


def test_error_rate_counts_every_request_failure_class_but_not_checks() -> None:
    result = build_result(scenarios={"a": scenario(requests=100, failures={"5xx": 3, "429": 2, "check": 50})})
    assert evaluate_goal(goal(kind="error_rate", max_rate=0.05), result, None).status == "fail"  # 5 % is not < 5 %
    outcome = evaluate_goal(goal(kind="error_rate", max_rate=0.06), result, None)
    assert (outcome.status, outcome.observed) == ("pass", "5.00%")


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


@pytest.mark.parametrize(("raw", "expected"), [
    ({"name": "x", "kind": "latency"}, ("goals[1].max_ms", "Field required")),
    ({"name": "x", "kind": "speed"}, ("goals[1].kind", "must be one of latency, error_rate, db_pool, queue_drained, "
                                                       "memory_growth, redis_memory, redis_policy, no_data_loss, but is 'speed'")),
    ({"name": "x", "kind": "db_pool", "max_waiting": 1, "extra": 1}, ("goals[1].extra", "Extra inputs are not permitted")),
])
def test_bad_goals_name_the_key(raw: dict, expected: tuple[str, str]) -> None:
    assert parse_goals([raw])[1] == [expected]
