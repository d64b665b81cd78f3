"""The file side of goals, called by `bwperf run` after the engine exits (the stack still up):
read `result.json` and `reconciliation.json`, judge the plan's goals, and write the verdicts into
`result.json` itself (atomically), before any report is written from it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from harness.goals.evaluate import evaluate_goals
from harness.goals.model import RECONCILIATION_FILE_NAME, ReconciliationReport
from harness.goals.spec import GoalSpec
from harness.errors import ResultFileError
from harness.results.io import RESULT_FILE_NAME, load_result, save_result
from harness.results.model import GoalsVerdict, RunResult


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


def judge_run(run_dir: Path, goals: Sequence[GoalSpec]) -> RunResult | None:
    """Judge the goals on the saved result and save it again with them (`RunResult.goals`); the
    updated result, or None when the plan has no goals or the run saved no result. An unreadable
    reconciliation report is judged as a missing one (the goals that need it fail), saying why.
    A run that did not complete is not judged (its drain and reconciliation never ran): its goals
    stay pending with the reason, and its verdict is the stop's."""
    path = run_dir / RESULT_FILE_NAME
    if not goals or not path.exists():
        return None
    result = load_result(path)
    if not result.complete:
        return mark_unjudged(run_dir, f"the run stopped early ({result.interrupted_reason or 'interrupted'})")
    notes: list[str] = []
    try:
        reconciliation = read_reconciliation(run_dir)
    except ValueError as error:
        reconciliation, notes = None, [str(error)]
    verdict = evaluate_goals(goals, result, reconciliation, notes=notes)
    judged = result.model_copy(update={"goals": verdict})
    save_result(judged, path)
    return judged


def mark_unjudged(run_dir: Path, reason: str) -> RunResult | None:
    """Say in the saved result why its goals have no verdict (the run stopped, or judging failed):
    such a result never reads PASS. None when there is no readable result to mark."""
    path = run_dir / RESULT_FILE_NAME
    try:
        result = load_result(path)
    except ResultFileError:
        return None
    marked = result.model_copy(update={"goals": GoalsVerdict(outcomes=[], pending=reason)})
    save_result(marked, path)
    return marked
