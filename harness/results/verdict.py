"""A run's verdict, read from its result alone: the thresholds and the stress goals together.

    verdict = run_verdict(result)
    verdict.state      # "PASS", "FAIL", "INCOMPLETE" (stopped early), "RUNNING" (a live snapshot)
                       # or "UNJUDGED" (the plan's goals have no verdict: not yet, or judging failed)
    verdict.text       # 'FAIL: goal "all jobs processed" failed; 4 of 5 goals met; no thresholds'
    verdict.exit_code  # 0, 99 (a threshold or a goal failed), 130 (stopped early), 3 (goals unjudged),
                       # 5 (nothing else failed, but every iteration of a scenario raised)

Every view says this and nothing else: the exit code of `bwperf run`, the terminal, summary.md,
report.html and the dashboard (DESIGN.md §3: no view recomputes a verdict from side files). A
failed goal fails the run as a failed threshold does; a goal's warning never does. A scenario
whose every iteration raised measured nothing its behaviour was meant to do: the run FAILs (exit
5 when nothing else failed); some iterations raising is shown by the views, as k6 does, not failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from harness.errors import EXIT_ENGINE, EXIT_INTERRUPTED, EXIT_OK, EXIT_SCRIPT_ERROR, EXIT_THRESHOLDS_FAILED
from harness.results.model import INTERRUPTED_PREFIX, RUNNING_REASON, RunResult

State = Literal["PASS", "FAIL", "INCOMPLETE", "RUNNING", "UNJUDGED"]
NAMED_AT_MOST = 3  # failed thresholds or goals named in the text; the rest are counted


@dataclass(frozen=True)
class Verdict:
    state: State
    failed_thresholds: tuple[str, ...]  # "metric expression", as written in the plan
    failed_goals: tuple[str, ...]  # goal names
    warned_goals: tuple[str, ...]
    thresholds_total: int
    goals_total: int | None  # None: the result has no goals (the plan has none, or they were not judged)
    stopped: str | None  # why the run is not complete (None when it is)
    unjudged: str | None = None  # why the plan's goals have no verdict (None: judged, or no goals)
    broken_scenarios: tuple[str, ...] = ()  # scenarios whose every finished iteration raised

    @property
    def ok(self) -> bool:
        """Nothing failed (an incomplete run may still be ok)."""
        return not self.failed_thresholds and not self.failed_goals and not self.broken_scenarios

    @property
    def exit_code(self) -> int:
        """Stopped from outside (a signal, the parent gone) 130; failed thresholds or goals 99 (k6's
        code); else every iteration of a scenario raised 5;
        stopped early 130 (unjudged goals then are the stop's doing); goals that could not be
        judged 3 (never a pass); else 0."""
        if self.stopped is not None and self.stopped.startswith(INTERRUPTED_PREFIX):
            return EXIT_INTERRUPTED  # stopped from outside: the partial figures judge nothing
        if self.failed_thresholds or self.failed_goals:
            return EXIT_THRESHOLDS_FAILED
        if self.broken_scenarios:
            return EXIT_SCRIPT_ERROR
        if self.stopped is not None:
            return EXIT_INTERRUPTED
        return EXIT_ENGINE if self.unjudged is not None else EXIT_OK

    @property
    def failures(self) -> str:
        """What failed, named: 'goal "x" failed; threshold http_req_failed rate<0.01 failed' ('' if nothing)."""
        parts = []
        if self.failed_thresholds:
            parts.append(_named("threshold", self.failed_thresholds, quoted=False) + " failed")
        if self.failed_goals:
            parts.append(_named("goal", self.failed_goals, quoted=True) + " failed")
        if self.broken_scenarios:
            parts.append("every iteration of " + _named("scenario", self.broken_scenarios, quoted=False) + " raised")
        return "; ".join(parts)

    @property
    def counts(self) -> str:
        """'4 of 5 goals met; 2 of 2 thresholds passed', or 'no thresholds' (never '0 of 0')."""
        parts = []
        if self.goals_total is not None:
            met = self.goals_total - len(self.failed_goals)
            warned = len(self.warned_goals)
            parts.append(f"{met} of {self.goals_total} goals met"
                         + (f", {warned} with a warning" if warned else ""))
        if self.thresholds_total:
            passed = self.thresholds_total - len(self.failed_thresholds)
            parts.append(f"{passed} of {self.thresholds_total} thresholds passed")
        else:
            parts.append("no thresholds")
        return "; ".join(parts)

    @property
    def detail(self) -> str:
        """The text after the state: what failed, why the run stopped, then the counts."""
        stopped = None
        if self.stopped is not None:
            stopped = "still running" if self.state == "RUNNING" else f"stopped early ({self.stopped})"
        unjudged = None if self.unjudged is None else f"goals not judged ({self.unjudged})"
        return "; ".join(part for part in (self.failures, stopped, unjudged, self.counts) if part)

    @property
    def text(self) -> str:
        return f"{self.state}: {self.detail}"


def run_verdict(result: RunResult) -> Verdict:
    """The verdict of `result`: FAIL when a threshold or a goal failed, else PASS when the run
    completed, RUNNING for a live snapshot, INCOMPLETE when it stopped early."""
    failed_thresholds = tuple(f"{t.metric} {t.expression}" for t in result.thresholds if not t.ok)
    if not result.thresholds_ok and not failed_thresholds:  # the engine said so without naming one
        failed_thresholds = ("(thresholds_ok is false)",)
    goals = result.goals
    outcomes = goals.outcomes if goals is not None else []
    failed_goals = tuple(o.name for o in outcomes if o.status == "fail")
    warned_goals = tuple(o.name for o in outcomes if o.status == "warn")
    stopped = None if result.complete else (result.interrupted_reason or "interrupted")
    unjudged = goals.pending if goals is not None else None
    broken = tuple(name for name, s in result.scenarios.items()
                   if s.iterations_completed > 0 and s.iteration_errors >= s.iterations_completed)
    state: State
    if failed_thresholds or failed_goals or broken:
        state = "FAIL"
    elif stopped is not None:
        state = "RUNNING" if result.interrupted_reason == RUNNING_REASON else "INCOMPLETE"
    else:
        state = "PASS" if unjudged is None else "UNJUDGED"
    return Verdict(state=state, failed_thresholds=failed_thresholds, failed_goals=failed_goals,
                   warned_goals=warned_goals, thresholds_total=len(result.thresholds),
                   goals_total=len(outcomes) if goals is not None and unjudged is None else None,
                   stopped=stopped, unjudged=unjudged, broken_scenarios=broken)


def _named(noun: str, names: Sequence[str], *, quoted: bool) -> str:
    shown = [f'"{n}"' if quoted else n for n in names[:NAMED_AT_MOST]]
    more = len(names) - len(shown)
    listed = ", ".join(shown) + (f" and {more} more" if more else "")
    return f"{noun}{'s' if len(names) > 1 else ''} {listed}"
