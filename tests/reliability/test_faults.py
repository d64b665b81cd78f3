"""The fault suite: each scenario of harness.faults on real processes, asserting on its figures.

`bwperf selftest` runs the same functions on a stack of its own and prints the same figures.
"""

from __future__ import annotations

from harness.faults.api_sigterm import run_api_sigterm
from harness.faults.db_freeze import READY_BUDGET_S, run_db_freeze
from harness.faults.db_outage import RECOVERY_GOAL_S, run_db_outage
from harness.faults.lab import FaultLab
from harness.faults.redis_down import run_redis_down
from harness.faults.valkey_restart import run_valkey_restart
from harness.faults.worker_kill import run_worker_kill


def test_a_worker_killed_mid_flood_loses_no_job_and_nothing_happens_twice(lab: FaultLab) -> None:
    result = run_worker_kill(lab)
    assert result.ok, result.summary()
    assert result.jobs_enqueued == 60 and result.jobs_completed == 60
    assert result.in_flight_at_kill >= 1
    assert result.jobs_reclaimed >= result.in_flight_at_kill, "the other worker took the dead one's jobs"
    assert result.jobs_lost == 0 and result.duplicate_effects == 0


def test_a_valkey_crash_mid_flood_loses_nothing(lab: FaultLab) -> None:
    result = run_valkey_restart(lab, crash=True)
    assert result.ok, result.summary()
    assert result.jobs_enqueued >= 60 and result.jobs_lost == 0 and result.problems_lost == 0
    assert result.other_failures == 0, "while the queue is down the API says 503, nothing else"
    assert result.duplicate_effects == 0
    assert result.stream_after_restart > 0, "the AOF brought the queued jobs back"


def test_a_database_outage_answers_503_quickly_and_recovers_by_itself(lab: FaultLab) -> None:
    result = run_db_outage(lab, outage_s=3.0, pool_timeout_s=2.0)
    assert result.ok, result.summary()
    assert result.answered_503 >= 1 and result.other_failures == 0
    assert result.max_latency_during_outage_s <= result.pool_timeout_s + 1.0, "no request hangs"
    assert result.ready_polls_during_outage >= 1 and result.ready_not_503 == 0
    assert result.recovery_s is not None and result.recovery_s <= RECOVERY_GOAL_S


def test_ready_answers_within_its_budget_while_the_database_is_frozen(lab: FaultLab) -> None:
    # Regression: /ready took ~11 s on a SIGSTOPped PostgreSQL (psycopg's query cancellation and
    # the connection's return to the pool ran inside the timed-out check).
    result = run_db_freeze(lab, polls=3)
    assert result.ok, result.summary()
    assert result.ready_statuses_frozen == (503, 503, 503)
    assert result.max_ready_latency_frozen_s <= READY_BUDGET_S + 0.5
    assert result.ready_recovery_s is not None and result.ready_recovery_s <= 5.0


def test_sigterm_under_load_fails_no_request_in_flight(lab: FaultLab) -> None:
    result = run_api_sigterm(lab)
    assert result.ok, result.summary()
    assert result.in_flight_at_signal >= 1 and result.uploads_in_flight_at_signal >= 1
    assert result.failed_in_flight == 0, result.failed_in_flight_statuses
    assert result.exit_code == 0


def test_with_redis_down_the_rate_limiter_fails_open_and_recovers(lab: FaultLab) -> None:
    result = run_redis_down(lab, public_limit=5, requests_while_down=20)
    assert result.ok, result.summary()
    assert result.limited_while_up >= 1, "the limit is real while Redis is up"
    assert result.served_while_down == 20 and result.limited_while_down == 0, "fail open: every request served"
    assert result.limit_headers_while_down == 0 and result.backend_errors_counted >= 1
    assert result.limits_back_after_s is not None
