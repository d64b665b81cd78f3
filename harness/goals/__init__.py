"""Goals: a plan's pass/fail criteria judged after the run (seed 8.5's "Goal:" lines).

A plan lists them under `goals:` (see `spec.py` for the kinds). `evaluate_goals` is a pure
function over the run result and the reconciliation report (what the post-run checks found);
`hook.py` is the file I/O around it that `bwperf run` calls; the report shows the rows.
"""

from harness.goals.evaluate import evaluate_goals
from harness.goals.model import GoalOutcome, GoalReport, ReconciliationReport, UnaccountedItem
from harness.goals.spec import GoalSpec, parse_goals

__all__ = ["GoalOutcome", "GoalReport", "GoalSpec", "ReconciliationReport", "UnaccountedItem",
           "evaluate_goals", "parse_goals"]
