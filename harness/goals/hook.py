"""The file side of goals, called by `bwperf run` after the engine exits (the stack still up):
read `result.json` and `reconciliation.json`, judge the plan's goals, write `goals.json`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from harness.goals.evaluate import evaluate_goals
from harness.goals.model import GOALS_FILE_NAME, RECONCILIATION_FILE_NAME, GoalReport, ReconciliationReport
from harness.goals.spec import GoalSpec
from harness.results.io import RESULT_FILE_NAME, load_result


def read_reconciliation(run_dir: Path) -> ReconciliationReport | None:
    path = run_dir / RECONCILIATION_FILE_NAME
    if not path.exists():
        return None
    try:
        return ReconciliationReport.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        raise ValueError(f"{path}: not a reconciliation report ({error.error_count()} problems)") from error


def write_reconciliation(run_dir: Path, report: ReconciliationReport) -> Path:
    path = run_dir / RECONCILIATION_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    temporary.replace(path)
    return path


def judge_run(run_dir: Path, goals: Sequence[GoalSpec], *, plan_path: str, profile: str) -> GoalReport | None:
    """Judge and write `goals.json`; None when the plan has no goals or the run saved no result."""
    if not goals or not (run_dir / RESULT_FILE_NAME).exists():
        return None
    result = load_result(run_dir / RESULT_FILE_NAME)
    report = evaluate_goals(goals, result, read_reconciliation(run_dir), plan_path=plan_path, profile=profile)
    (run_dir / GOALS_FILE_NAME).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report


def read_goal_report(run_dir: Path) -> GoalReport | None:
    path = run_dir / GOALS_FILE_NAME
    if not path.exists():
        return None
    return GoalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))
