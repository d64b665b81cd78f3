"""Goals: a plan's pass/fail criteria judged after the run (seed 8.5's "Goal:" lines).

A plan lists them under `goals:` (see `spec.py` for the kinds: what k6 thresholds cannot say).
`evaluate_goals` is a pure function over the run result and the reconciliation report (what the
post-run checks found) that yields a `GoalsVerdict`; `hook.py` is the file I/O around it that
`bwperf run` calls, which writes the verdicts into the run result (`RunResult.goals`). From there
`harness.results.run_verdict` folds them into the run's one verdict, which every view shows.
"""

from harness.goals.evaluate import evaluate_goals
from harness.goals.model import GoalOutcome, GoalsVerdict, ReconciliationReport, UnaccountedItem
from harness.goals.spec import GoalSpec, parse_goals

__all__ = ["GoalOutcome", "GoalSpec", "GoalsVerdict", "ReconciliationReport", "UnaccountedItem",
           "evaluate_goals", "parse_goals"]
