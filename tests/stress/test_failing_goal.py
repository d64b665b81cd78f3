"""A stress plan whose goal fails, run for real (`bwperf run` on the embedded stack, a few seconds
of load): the run exits 99 though its thresholds pass, result.json carries the failed goal,
summary.md opens with FAIL and the goal's name, and the dashboard's overview (headless Chromium)
and runs page say FAIL and name the goal. Nothing reads a side file: goals.json is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.errors import EXIT_THRESHOLDS_FAILED
from harness.results import RunResult, load_result, run_verdict
from tests.dashboards.browser import CHROMIUM, CHROMIUM_ARGS, serving, visit

REPO = Path(__file__).resolve().parents[2]
PLAN = Path(__file__).resolve().parent / "plans" / "failing_goal.yaml"
GOAL = "worker RSS under 1 MiB"
TIMEOUT_S = 120


@dataclass(frozen=True)
class Run:
    completed: subprocess.CompletedProcess[str]
    run_dir: Path
    result: RunResult
    seconds: float


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("reports")
    home = tmp_path_factory.mktemp("home")  # the embedded stack's home (.bwperf) is per cwd: a fresh queue
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PYTHONPATH"] = str(REPO)
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "bwperf", "run", str(PLAN), "--profile", "short",
                                "--out", str(out), "--quiet"],
                               cwd=home, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    seconds = time.monotonic() - started
    runs = sorted(out.iterdir())
    assert runs, completed.stderr[-3000:]
    return Run(completed, runs[-1], load_result(runs[-1]), seconds)


def test_the_failed_goal_exits_99_and_lives_in_result_json(run: Run) -> None:
    assert run.completed.returncode == EXIT_THRESHOLDS_FAILED, run.completed.stderr[-3000:]
    assert run.result.thresholds_ok and run.result.thresholds  # the thresholds passed: the goal failed the run
    assert run.result.goals is not None
    outcomes = {o.name: o for o in run.result.goals.outcomes}
    assert outcomes[GOAL].status == "fail", outcomes[GOAL]
    assert outcomes[GOAL].observed != "no data", outcomes[GOAL]  # judged on the worker's samples, not assumed
    assert run_verdict(run.result).failed_goals == (GOAL,)
    assert not (run.run_dir / "goals.json").exists()
    assert f'verdict: FAIL: goal "{GOAL}" failed' in run.completed.stderr
    assert run.seconds < 60, f"the run took {run.seconds:.0f} s"


def test_summary_md_opens_with_fail_and_the_goal(run: Run) -> None:
    head = (run.run_dir / "summary.md").read_text(encoding="utf-8").splitlines()[:8]
    assert head[0] == f"# Run {run.result.meta.run_id}: FAIL"
    assert head[2].startswith(f'FAIL: goal "{GOAL}" failed; 1 of 2 goals met; 1 of 1 thresholds passed')
    assert f"- goal **{GOAL}**: " in "\n".join(head)
    html = (run.run_dir / "report.html").read_text(encoding="utf-8")
    assert '<span class="badge FAIL">FAIL</span>' in html and 'id="goals"' in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_the_dashboard_says_fail_and_names_the_goal(run: Run, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from dashboards.app import create_app

    with serving(create_app(run.run_dir.parent, tmp_path / "baselines")) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            with visit(browser, base) as tab:
                tab.open("/")
                card = tab.page.locator('.card:has(.card-label:text-is("Verdict"))')
                assert card.locator(".card-value").inner_text() == "FAIL"
                assert GOAL in card.locator(".card-detail").inner_text()
                assert GOAL in tab.text("#verdict-notice")
                failed = tab.page.locator("#goals-table tbody tr.row-fail")
                assert failed.count() == 1 and GOAL in failed.inner_text()
                tab.screenshot("overview-failed-goal")
                tab.open("/runs")
                row = tab.page.locator("#runs-table tbody tr", has_text=run.result.meta.run_id)
                assert "FAIL" in row.inner_text() and GOAL in row.inner_text()
                assert tab.errors == []
        finally:
            browser.close()
