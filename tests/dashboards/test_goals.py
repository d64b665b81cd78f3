"""A stress run's verdict on the dashboard, read from its result (`RunResult.goals`, through
`run_verdict`): a failed goal reads FAIL on the overview and the runs page and is named; a
goals-only run never says "0 of 0"; a run without goals has no goals section."""

from __future__ import annotations

from pathlib import Path

from dashboards.app import render_page
from dashboards.context import LATEST, DashboardData
from harness.results import RunResult
from harness.results.model import GoalOutcome, GoalsVerdict
from tests.dashboards import dash_tree
from tests.dashboards.run_factory import write_run

DRAINED = "all jobs processed within 18 s"


def _stress(run: RunResult, *, drained: bool) -> RunResult:
    goals = GoalsVerdict(outcomes=[
        GoalOutcome(name=DRAINED, kind="queue_drained", status="pass" if drained else "fail",
                    observed="empty 4 s after the load" if drained else "12 jobs left at 23 s",
                    limit="empty within 18 s of the load's end"),
        GoalOutcome(name="job broker cannot evict queued jobs", kind="redis_policy", status="pass",
                    observed="noeviction", limit="noeviction (a queue must not be evicted)"),
    ])
    return run.model_copy(update={"goals": goals, "thresholds": [], "thresholds_ok": True})


def _render(results: Path, path: str) -> list:
    children, _ = render_page(DashboardData(results, results / "baselines"), path, LATEST)
    return children


def test_a_failed_goal_reads_fail_and_is_named_on_the_overview_and_the_runs_page(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, _stress(weekly_runs[0], drained=False))
    overview = _render(tmp_path, "/")
    notice = dash_tree.text(dash_tree.find(overview, "verdict-notice"))
    assert notice == f'FAIL: goal "{DRAINED}" failed; 1 of 2 goals met; no thresholds'
    page = dash_tree.text(overview)
    assert "VerdictFAIL" in page.replace(" ", "") and "0 of 0" not in page
    rows = dash_tree.find(overview, "goals-table").children[1].children
    assert [r.className for r in rows] == ["row-fail", "row-pass"]
    assert DRAINED in dash_tree.text(rows[0]) and "12 jobs left at 23 s" in dash_tree.text(rows[0])
    runs = dash_tree.text(dash_tree.find(_render(tmp_path, "/runs"), "runs-table"))
    assert f'FAIL  · goal "{DRAINED}" failed' in runs  # the state, then what failed


def test_a_passing_goals_only_run_says_pass_and_counts_its_goals(tmp_path: Path,
                                                                 weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, _stress(weekly_runs[0], drained=True))
    overview = _render(tmp_path, "/")
    assert not dash_tree.has(overview, "verdict-notice")
    page = dash_tree.text(overview)
    assert "2 of 2 goals met; no thresholds" in page and "0 of 0" not in page
    assert "PASS" in dash_tree.text(dash_tree.find(_render(tmp_path, "/runs"), "runs-table"))


def test_a_run_without_goals_has_no_goals_section(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, weekly_runs[0])
    overview = _render(tmp_path, "/")
    assert not dash_tree.has(overview, "goals") and not dash_tree.has(overview, "goals-table")
