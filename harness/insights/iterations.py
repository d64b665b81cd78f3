"""Iterations that raised: a behaviour's exception ends its iteration early. The engine counts
them per scenario (`iteration_errors`) and keeps each kind's first message in the result's
warnings ("scenario s: iteration failed: ValueError(...)"). A scenario whose every iteration
raised measured nothing of what its behaviour was meant to do: a critical insight, and
the run FAILs with EXIT_SCRIPT_ERROR (harness.results.verdict). Some iterations raising is shown
(terminal summary, summary.md), as k6 prints them, without failing the run."""

from __future__ import annotations

from dataclasses import dataclass

from harness.insights.model import Insight
from harness.results.model import RunResult

MESSAGES_SHOWN = 2


@dataclass(frozen=True)
class RaisedIterations:
    scenario: str
    raised: int
    finished: int  # iterations that ended, raised ones included
    messages: tuple[str, ...]  # the first exception of each kind, as the engine warned it

    @property
    def every(self) -> bool:
        return self.finished > 0 and self.raised >= self.finished

    @property
    def text(self) -> str:
        """'scenario s: 40 of 40 iterations raised: ZeroDivisionError('division by zero')'."""
        shown = "; ".join(self.messages[:MESSAGES_SHOWN]) + ("; ..." if len(self.messages) > MESSAGES_SHOWN else "")
        return f"scenario {self.scenario}: {self.raised} of {self.finished} iterations raised" + (f": {shown}" if shown else "")


def raised_iterations(result: RunResult) -> list[RaisedIterations]:
    """Each scenario with at least one iteration that raised, in the plan's order."""
    found = []
    for name, stats in result.scenarios.items():
        if stats.iteration_errors <= 0:
            continue
        mark = f"scenario {name}: iteration failed: "
        messages = tuple(w[len(mark):] for w in result.warnings if w.startswith(mark))
        found.append(RaisedIterations(name, stats.iteration_errors, stats.iterations_completed, messages))
    return found


def every_iteration_raised(result: RunResult) -> list[Insight]:
    return [Insight("iterations_raised", "critical", f"Every iteration raised: {r.text}",
                    (f"{r.raised} of {r.finished} finished iterations of {r.scenario} ended with an exception",),
                    r.scenario)
            for r in raised_iterations(result) if r.every]
