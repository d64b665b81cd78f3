"""`run_verdict`: the one verdict of a run, from its result alone (thresholds and stress goals)."""

from __future__ import annotations

import pytest

from harness.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLDS_FAILED
from harness.results import RunResult, run_verdict
from harness.results.model import RUNNING_REASON, GoalOutcome, GoalsVerdict, ThresholdResult
from tests.harness.goals.builders import build_result


def threshold(metric: str, expression: str, *, ok: bool) -> ThresholdResult:
    return ThresholdResult(metric=metric, expression=expression, ok=ok, observed=1.0, abort_on_fail=False)


def goal(name: str, status: str) -> GoalOutcome:
    return GoalOutcome(name=name, kind="queue_drained", status=status, observed="x", limit="y")  # type: ignore[arg-type]


def result(*, thresholds: list[ThresholdResult] = (), goals: list[GoalOutcome] | None = None,  # type: ignore[assignment]
           complete: bool = True, reason: str | None = None) -> RunResult:
    return build_result().model_copy(update={
        "thresholds": list(thresholds), "thresholds_ok": all(t.ok for t in thresholds),
        "goals": GoalsVerdict(outcomes=goals) if goals is not None else None,
        "complete": complete, "interrupted_reason": reason})


@pytest.mark.parametrize(("run", "text", "code"), [
    (result(), "PASS: no thresholds", EXIT_OK),
    (result(thresholds=[threshold("http_reqs", "count>1", ok=True)] * 2), "PASS: 2 of 2 thresholds passed", EXIT_OK),
    (result(goals=[goal("a", "pass")] * 5), "PASS: 5 of 5 goals met; no thresholds", EXIT_OK),
    (result(goals=[goal("queue_drained", "fail"), goal("b", "pass")]),
     'FAIL: goal "queue_drained" failed; 1 of 2 goals met; no thresholds', EXIT_THRESHOLDS_FAILED),
    (result(goals=[goal("a", "pass"), goal("policy", "warn")], thresholds=[threshold("m", "rate<0.1", ok=True)]),
     "PASS: 2 of 2 goals met, 1 with a warning; 1 of 1 thresholds passed", EXIT_OK),
    (result(thresholds=[threshold("http_req_duration{scenario:burst}", "p(95)<500", ok=False),
                        threshold("http_req_failed", "rate<0.01", ok=True)], goals=[goal("drained", "fail")]),
     'FAIL: threshold http_req_duration{scenario:burst} p(95)<500 failed; goal "drained" failed; 0 of 1 goals met; '
     "1 of 2 thresholds passed", EXIT_THRESHOLDS_FAILED),
    (result(goals=[goal(n, "fail") for n in "abcde"]),
     'FAIL: goals "a", "b", "c" and 2 more failed; 0 of 5 goals met; no thresholds', EXIT_THRESHOLDS_FAILED),
    (result(complete=False, reason="interrupted (Ctrl-C)"),
     "INCOMPLETE: stopped early (interrupted (Ctrl-C)); no thresholds", EXIT_INTERRUPTED),
    (result(complete=False, reason=RUNNING_REASON, thresholds=[threshold("m", "count>1", ok=True)]),
     "RUNNING: still running; 1 of 1 thresholds passed", EXIT_INTERRUPTED),
    (result(complete=False, reason="x", goals=[goal("g", "fail")]),
     'FAIL: goal "g" failed; stopped early (x); 0 of 1 goals met; no thresholds', EXIT_THRESHOLDS_FAILED),
    # Stopped from outside: 130 whatever the partial figures say (a cancelled CI job is no regression);
    # a stop of the run's own (a dead target above, abortOnFail) keeps the thresholds' 99.
    (result(complete=False, reason="interrupted (SIGTERM)", thresholds=[threshold("m", "rate<0.1", ok=False)]),
     "FAIL: threshold m rate<0.1 failed; stopped early (interrupted (SIGTERM)); 0 of 1 thresholds passed",
     EXIT_INTERRUPTED),
])
def test_the_verdict_names_what_failed_and_never_says_0_of_0(run: RunResult, text: str, code: int) -> None:
    verdict = run_verdict(run)
    assert (verdict.text, verdict.exit_code) == (text, code)
    assert "0 of 0" not in verdict.text
    assert verdict.ok == (verdict.state != "FAIL")
