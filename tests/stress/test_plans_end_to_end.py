"""Each stress plan runs end to end on the embedded stack with its `test` profile (seconds): its
result carries the goal verdicts (no goals.json) and its latency / error limits as thresholds, and
its report the goal rows; the agent swarm runs with --workers 2 (one ledger per process, merged).
Against a broker set to allkeys-lru (and no worker) the report warns and the goals fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 240


def bwperf_run(plan: str, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = str(REPO)
    home = out.parent / f"{out.name}-cwd"  # the embedded stack's home (.bwperf) is per cwd: a fresh queue
    home.mkdir(exist_ok=True)
    completed = subprocess.run([sys.executable, "-m", "bwperf", "run", str(REPO / "stress" / f"{plan}.yaml"),
                                "--profile", "test", "--out", str(out), "--quiet", *extra],
                               cwd=home, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    runs = sorted(out.iterdir())
    assert runs, completed.stderr[-3000:]
    return completed, runs[-1]


def goals_of(run_dir: Path) -> dict[str, dict]:
    """The goal verdicts, from result.json (the one file a reader needs)."""
    assert not (run_dir / "goals.json").exists()
    return {o["name"]: o for o in json.loads((run_dir / "result.json").read_text())["goals"]["outcomes"]}


def assert_report_has_goals(run_dir: Path, goals: dict[str, dict]) -> None:
    html = (run_dir / "report.html").read_text()
    markdown = (run_dir / "summary.md").read_text()
    assert "Stress goals" in html and "Where the system bent" in html
    for name in goals:
        assert name in markdown


@pytest.mark.parametrize(("plan", "extra"), [("queue_flood", ()), ("db_saturation", ()), ("agent_swarm", ("--workers", "2"))])
def test_plan_runs_and_reports_its_goals(plan: str, extra: tuple[str, ...], tmp_path: Path) -> None:
    completed, run_dir = bwperf_run(plan, tmp_path, *extra)
    goals = goals_of(run_dir)
    assert_report_has_goals(run_dir, goals)
    assert json.loads((run_dir / "result.json").read_text())["thresholds"]  # latency / error limits: k6 thresholds
    assert not {o["kind"] for o in goals.values()} & {"latency", "error_rate"}
    recon = json.loads((run_dir / "reconciliation.json").read_text())
    assert recon["missing"] == [] and recon["stuck"] == [] and recon["lost_agents"] == []
    data_loss = next(o for o in goals.values() if o["kind"] == "no_data_loss")
    assert data_loss["status"] == "pass", data_loss
    assert completed.returncode in (0, 99), completed.stderr[-3000:]
    if plan == "queue_flood":
        assert recon["problems_recorded"] >= 25 and recon["problems_final"] == recon["problems_recorded"]
        assert goals["all jobs processed within 10 min"]["status"] == "pass"
    if plan == "agent_swarm":
        assert len(list(run_dir.glob("ledger-*.jsonl"))) >= 2  # one per load process
        assert recon["agents_recorded"] >= 5 and recon["agents_verified"] == recon["agents_recorded"]


def test_allkeys_lru_broker_is_warned_and_an_undrained_queue_fails(api_only: str, clean_db: str, redis_url: str,
                                                                  tmp_path: Path) -> None:
    client = redis.Redis.from_url(redis_url)
    client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        completed, run_dir = bwperf_run("queue_flood", tmp_path, "--target", api_only, "--redis-url", redis_url)
    finally:
        client.config_set("maxmemory-policy", "noeviction")
        client.close()
    goals = goals_of(run_dir)
    assert goals["job broker cannot evict queued jobs"]["status"] == "warn"
    assert goals["all jobs processed within 10 min"]["status"] == "fail"  # no worker: nothing drains
    assert goals["every job reconciled (verdict given, none stuck or lost)"]["status"] == "fail"
    assert completed.returncode == 99
    html = (run_dir / "report.html").read_text()
    assert "WARN" in html and "allkeys-lru" in html
    summary = (run_dir / "summary.md").read_text().splitlines()
    assert summary[0].endswith(": FAIL") and "all jobs processed within 10 min" in summary[2]
