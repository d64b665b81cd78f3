"""Each plan's behaviours against the real platform, through `bwperf run` (short scaled copies
of the real plans: same behaviours, fewer seconds), and the baseline under plain `locust -f`."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from harness.errors import EXIT_OK, EXIT_THRESHOLDS_FAILED

from .conftest import (
    ROOT,
    SCENARIOS,
    TEST_PROFILE,
    clean_env,
    result_of,
    run_plan,
    scaled_plan,
)

EMULATOR_LATENCY_MS = 400


def test_baseline_end_to_end_on_the_embedded_stack(tmp_path: Path) -> None:
    plan = scaled_plan(tmp_path, "baseline", {
        "profiles": {TEST_PROFILE: {"duration_scale": 0.02}},  # 6 s, the ramp in 2.4 s; the seed's rates
        "setup": {"agents": 20},
        # the plan key for the embedded stack: a fixed model latency makes the guardrail wait exact
        "stack": {"env": {"LLM_EMULATOR_LATENCY": "fixed", "LLM_EMULATOR_LATENCY_MEDIAN_MS": str(EMULATOR_LATENCY_MS)}},
    })
    done, run_dir = run_plan(plan, cwd=tmp_path)
    # thresholds are timing on a shared machine: both verdicts are acceptable here, not an error
    assert done.returncode in (EXIT_OK, EXIT_THRESHOLDS_FAILED), done.stderr
    assert "stack.env: LLM_EMULATOR_LATENCY=fixed" in done.stderr
    result = result_of(run_dir)
    for name, stats in result.scenarios.items():
        assert stats.iterations_started > 0 and stats.failures == {}, (name, stats.failures)
    assert result.metrics["checks"].rate == 1.0 and result.metrics["errors"].rate == 0.0
    names = {(r.scenario, r.method, r.name) for r in result.requests}
    assert names == {
        ("browse_problems", "GET", "/api/v1/problems"),
        ("agent_registration_burst", "POST", "/api/v1/auth/agents/register"),
        ("create_problems", "POST", "/api/v1/problems"),
        ("create_problems", "GET", "/api/v1/problems/:id (verdict poll)"),
        ("search_missions", "GET", "/api/v1/missions/nearby"),
    }
    create = result.scenarios["create_problems"]
    guardrail = result.metrics["guardrail_latency"].trend
    assert guardrail is not None and guardrail.count == create.iterations_completed > 0
    # measured to the verdict, not to the 202: never under the model's own latency
    assert guardrail.min >= EMULATOR_LATENCY_MS
    posts = next(r for r in result.requests if r.name == "/api/v1/problems" and r.method == "POST")
    assert posts.duration_ms.max < EMULATOR_LATENCY_MS <= guardrail.min
    polls = next(r for r in result.requests if r.name.endswith("(verdict poll)"))
    assert polls.count >= 4 * create.iterations_completed  # 100 ms polls over >= 400 ms each
    # the report of the run, written by `bwperf run` itself
    assert (run_dir / "report.html").stat().st_size > 1_000_000
    assert "| threshold | expression | observed | verdict | note |" in (run_dir / "summary.md").read_text()
    assert f"report: {run_dir / 'report.html'}" in done.stderr.replace("\n", "")


def _query(stack: Any, sql: str) -> tuple[Any, ...]:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def test_key_scenarios_upload_real_images_and_heartbeat_distinct_agents(tmp_path: Path, own_stack: Any) -> None:
    before = _query(own_stack, "SELECT count(*) FROM agents WHERE last_heartbeat_at IS NOT NULL")[0]
    plan = scaled_plan(tmp_path, "key_scenarios", {
        "profiles": {TEST_PROFILE: {"duration_scale": 0.5}},
        "setup": {"agents": 25},
        "scenarios": {"agent_heartbeats": {"vus": 5, "iterations": 20},
                      "evidence_upload": {"vus": 2, "iterations": 1, "startTime": "0s"}},
        "thresholds": {"iterations{scenario:agent_heartbeats}": ["count==20"],
                       "iterations{scenario:evidence_upload}": ["count==2"]},
    })
    done, run_dir = run_plan(plan, cwd=tmp_path, target=own_stack.api_url)
    assert done.returncode in (EXIT_OK, EXIT_THRESHOLDS_FAILED), done.stderr
    result = result_of(run_dir)
    assert result.metrics["checks"].rate == 1.0
    counts = {t.metric: t.ok for t in result.thresholds}
    assert counts["iterations{scenario:agent_heartbeats}"] and counts["iterations{scenario:evidence_upload}"]
    uploads = next(r for r in result.requests if r.name == "/api/v1/missions/:id/evidence")
    assert uploads.count == 2 and uploads.failures == {}
    upload_max = next(t for t in result.thresholds if t.metric.startswith("http_req_duration{scenario:evidence_upload"))
    assert upload_max.observed == pytest.approx(uploads.duration_ms.max)
    stored, smallest = _query(own_stack, "SELECT count(*), min(size_bytes) FROM evidence WHERE content_type = 'image/png'")
    assert stored == 2 and smallest >= 5 * 1024 * 1024
    # each heartbeat took the next agent of the pool: 20 heartbeats, 20 distinct agents
    after = _query(own_stack, "SELECT count(*) FROM agents WHERE last_heartbeat_at IS NOT NULL")[0]
    assert after - before == 20


def test_db_saturation_answers_503_never_500(tmp_path: Path) -> None:
    plan = scaled_plan(tmp_path, "db_pool_saturation", {
        "profiles": {TEST_PROFILE: {"duration_scale": 0.07}},  # ~4 s of 100 VUs
        "stack": {"env": {"DB_POOL_MAX": "2", "DB_POOL_TIMEOUT_S": "0.1"}},
    })
    done, run_dir = run_plan(plan, cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr  # server_errors_not_503 == 0, every answer 200 or 503
    result = result_of(run_dir)
    stats = result.scenarios["db_saturation"]
    refused = int(result.metrics["db_pool_exhausted_503"].value or 0)
    assert refused > 0 and stats.failures == {"5xx": refused}
    assert result.metrics["server_errors_not_503"].value == 0
    pool = [s.values for s in result.samples.prometheus if "db_pool_size" in s.values]
    assert max(v["db_pool_size"] for v in pool) == 2
    assert max(v["db_pool_waiting"] for v in pool) > 0
    assert max(v["db_pool_timeouts_total"] for v in pool) > 0


def test_plain_locust_runs_the_baseline_behaviours(tmp_path: Path, own_stack: Any) -> None:
    stats = tmp_path / "stats"
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(SCENARIOS / "baseline.py"), "--headless", "-u", "5", "-r", "5",
         "-t", "5s", "--host", own_stack.api_url, "--only-summary", "--csv", str(stats)],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(f"{stats}_stats.csv", newline="") as handle:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(handle)}
    for request in (("GET", "/api/v1/problems"), ("POST", "/api/v1/auth/agents/register"),
                    ("POST", "/api/v1/problems"), ("GET", "/api/v1/missions/nearby")):
        assert request in rows and int(rows[request]["Request Count"]) > 0, request
    assert int(rows[("CHECK", "status is 200")]["Failure Count"]) == 0
    assert ("TREND", "guardrail_latency") in rows
