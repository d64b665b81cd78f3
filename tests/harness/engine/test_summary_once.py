"""What `bwperf run` and `bwperf report` print says each thing once: each threshold in one table
(k6's ✓/✗ beside it), and a run without thresholds says nothing about them but "no thresholds"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bwperf.cli import main_app
from harness.errors import EXIT_OK
from harness.results import GoalsVerdict, load_result, save_result
from harness.results.model import GoalOutcome
from tests.harness.report.conftest import BASELINE_RESULT

from .conftest import FIXTURES, bwperf

PLAN_THRESHOLDS = ("p(95)<2000", "p(99)<2000", "rate<0.01", "rate<0.5")  # engine_smoke.yaml's


def test_a_run_prints_each_threshold_once_with_a_mark(server, tmp_path: Path) -> None:
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    printed = done.stdout + done.stderr
    for expression in PLAN_THRESHOLDS:
        assert printed.count(expression) == 1, (expression, printed)
    assert printed.count("✓") == len(PLAN_THRESHOLDS) and "✗" not in printed
    assert printed.count("verdict: PASS") == 1 and "4 of 4 thresholds passed" in printed


def report(path: Path) -> str:
    done = CliRunner().invoke(main_app, ["report", str(path), "--format", "md", "--out", str(path.parent / "out")])
    assert done.exit_code == 0, done.output
    return done.stderr


def test_report_of_a_real_run_lists_its_thresholds_once(tmp_path: Path) -> None:
    result = load_result(BASELINE_RESULT)
    printed = report(save_result(result, tmp_path / "result.json"))
    assert printed.count("p(99)<500") == 1 and printed.count("✓") == len(result.thresholds) == 7


def test_goals_without_thresholds_say_no_thresholds_and_no_table(tmp_path: Path) -> None:
    goals = GoalsVerdict(outcomes=[
        GoalOutcome(name="all jobs processed", kind="queue_drained", status="pass", observed="0 left at 12 s",
                    limit="drained within 10m"),
        GoalOutcome(name="no data lost", kind="no_data_loss", status="fail", observed="3 writes missing", limit="0"),
    ])
    stress = load_result(BASELINE_RESULT).model_copy(update={"thresholds": [], "goals": goals})
    printed = report(save_result(stress, tmp_path / "result.json"))
    lines = printed.splitlines()
    assert lines[0] == 'verdict: FAIL: goal "no data lost" failed; 1 of 2 goals met; no thresholds'
    assert "0 of 0" not in printed and "threshold " not in printed and "┏" not in printed  # no empty table
    assert [line.split()[:2] for line in lines if "goal " in line and not line.startswith("verdict")] == [
        ["goal", "PASS"], ["goal", "FAIL"]]
