"""`judge_run`: the goals are judged on the saved result and written into result.json itself
(no side file); the result still loads through the one reader."""

from __future__ import annotations

from pathlib import Path

from harness.goals.hook import judge_run, write_reconciliation
from harness.goals.model import ReconciliationReport, UnaccountedItem
from harness.goals.spec import parse_goals
from harness.results import load_result, run_verdict, save_result
from tests.harness.goals.builders import build_result, prom, scenario

WORKER = "http://127.0.0.1:2/metrics"


def _goals(*raw: dict) -> tuple:
    goals, problems = parse_goals(list(raw))
    assert problems == []
    return goals


def _run_dir(tmp_path: Path) -> Path:
    samples = [prom(t, WORKER, guardrail_pending_jobs=0, guardrail_queue_length=q) for t, q in ((5, 30), (30, 4))]
    save_result(build_result(scenarios={"flood": scenario(requests=30, duration_s=10)}, prometheus=samples),
                tmp_path / "result.json")
    return tmp_path


def test_the_goals_land_in_result_json_and_fail_the_verdict(tmp_path: Path) -> None:
    run_dir = _run_dir(tmp_path)
    lost = UnaccountedItem(kind="problem", id="p1", reason="404")
    write_reconciliation(run_dir, ReconciliationReport(problems_recorded=3, problems_final=2, missing=[lost]))
    judged = judge_run(run_dir, _goals({"name": "queue drained", "kind": "queue_drained", "within": "10s"},
                                       {"name": "no data loss", "kind": "no_data_loss"}))
    assert judged is not None
    stored = load_result(run_dir / "result.json")
    assert stored.goals == judged.goals and stored.goals is not None
    assert [(o.name, o.status) for o in stored.goals.outcomes] == [("queue drained", "fail"), ("no data loss", "fail")]
    assert stored.goals.outcomes[0].observed == "4 jobs left at 20 s"
    assert stored.goals.unaccounted == [lost] and stored.goals.unaccounted_total == 1
    assert not (run_dir / "goals.json").exists()
    verdict = run_verdict(stored)
    assert verdict.exit_code == 99
    assert verdict.text == 'FAIL: goals "queue drained", "no data loss" failed; 0 of 2 goals met; no thresholds'


def test_an_unreadable_reconciliation_report_is_judged_as_missing_and_said(tmp_path: Path) -> None:
    run_dir = _run_dir(tmp_path)
    (run_dir / "reconciliation.json").write_text("{not json")
    judged = judge_run(run_dir, _goals({"name": "no data loss", "kind": "no_data_loss"}))
    assert judged is not None and judged.goals is not None
    assert judged.goals.outcomes[0].observed == "no data"
    assert "reconciliation.json: not a reconciliation report" in judged.goals.notes[0]


def test_no_goals_or_no_result_leaves_everything_as_it_is(tmp_path: Path) -> None:
    assert judge_run(tmp_path, _goals({"name": "p", "kind": "redis_policy"})) is None  # no result.json
    run_dir = _run_dir(tmp_path)
    before = (run_dir / "result.json").read_bytes()
    assert judge_run(run_dir, ()) is None
    assert (run_dir / "result.json").read_bytes() == before


def test_a_run_that_stopped_early_keeps_130_and_its_goals_are_not_judged(tmp_path: Path) -> None:
    """Ctrl-C during a stress run: no drain, no reconciliation; failing `no_data_loss` for that would
    turn the interruption into a FAIL (exit 99). The goals stay unjudged, with the reason."""
    run_dir = _run_dir(tmp_path)
    stopped = load_result(run_dir / "result.json").model_copy(update={"complete": False, "interrupted_reason": "interrupted (Ctrl-C)"})
    save_result(stopped, run_dir / "result.json")
    judged = judge_run(run_dir, _goals({"name": "no data loss", "kind": "no_data_loss"}))
    assert judged is not None and judged.goals is not None and judged.goals.outcomes == []
    assert judged.goals.pending == "the run stopped early (interrupted (Ctrl-C))"
    verdict = run_verdict(load_result(run_dir / "result.json"))
    assert (verdict.state, verdict.exit_code) == ("INCOMPLETE", 130)


def test_goals_without_a_verdict_never_read_pass(tmp_path: Path) -> None:
    """Pending (the engine wrote the result; judging comes next) or failed to judge: UNJUDGED, exit 3."""
    from harness.goals.hook import mark_unjudged

    run_dir = _run_dir(tmp_path)
    marked = mark_unjudged(run_dir, "judging failed (disk full)")
    assert marked is not None
    verdict = run_verdict(load_result(run_dir / "result.json"))
    assert verdict.state == "UNJUDGED" and verdict.exit_code == 3 and not verdict.text.startswith("PASS")
    assert "goals not judged (judging failed (disk full))" in verdict.text
