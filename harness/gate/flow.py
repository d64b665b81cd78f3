"""The gate's sequence, with the run and the history passed in (so tests can give their own):

    1. run the plan                              -> result 1 (recorded, step 5)
    2. choose the baselines for it               (the history's last comparable clean runs, or files)
    3. compare                                   -> clean: done
    4. a metric regressed or is inconclusive:    run the plan again -> result 2, compare it with the
                                                 same baselines, keep what both runs show
    5. record each run in the history as it ends (degraded runs too: the history says they were, and
                                                 never picks them as baselines)

Exit code, as `bwperf compare`'s: 1 a regression both runs show; else 99 when a run's own
thresholds failed (k6's code); else 4 inconclusive; else 0. A run that fails otherwise (bad
input 2, engine 3, interrupted 130) ends the gate with its code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.baselines.runs import BaselineSelection
from harness.compare.config import CompareSettings
from harness.compare.confirm import confirmed, needs_confirmation
from harness.compare.engine import Comparison, compare_runs
from harness.compare.inputs import RunMetrics
from harness.compare.loading import load_run
from harness.errors import (
    EXIT_INCONCLUSIVE,
    EXIT_OK,
    EXIT_REGRESSION,
    EXIT_THRESHOLDS_FAILED,
    BwperfError,
    ResultFileError,
)
from harness.results.io import RESULT_FILE_NAME

RUN_OK_CODES = (EXIT_OK, EXIT_THRESHOLDS_FAILED)


class RunFailed(BwperfError):
    """A gate run ended with neither a result nor a verdict; its exit code becomes the gate's."""

    def __init__(self, code: int, run_dir: Path) -> None:
        self.exit_code = code
        super().__init__(f"the run in {run_dir} ended with exit code {code}; the gate stops")


@dataclass(frozen=True)
class GateRun:
    code: int  # the run's own exit code (0, or 99 when its thresholds failed)
    run_dir: Path

    @property
    def result(self) -> Path:
        return self.run_dir / RESULT_FILE_NAME


@dataclass(frozen=True)
class GateOutcome:
    comparison: Comparison  # the verdict: the first run's, or both runs' joined
    first: Comparison
    second: Comparison | None
    runs: tuple[GateRun, ...]

    @property
    def exit_code(self) -> int:
        if self.comparison.regressed:
            return EXIT_REGRESSION
        if any(run.code == EXIT_THRESHOLDS_FAILED for run in self.runs):
            return EXIT_THRESHOLDS_FAILED
        return EXIT_INCONCLUSIVE if self.comparison.inconclusive else EXIT_OK


def run_gate(
    *,
    run_plan: Callable[[int], GateRun],
    baselines_for: Callable[[RunMetrics], BaselineSelection],
    settings: CompareSettings,
    record: Callable[[Path], None] | None = None,
    allow_plan_mismatch: bool = False,
    message: Callable[[str], None] = lambda _: None,
) -> GateOutcome:
    first_run = _finished(run_plan(1), record)
    first_metrics = load_run(first_run.result)
    selection = baselines_for(first_metrics)
    message(f"gate: comparing {first_metrics.run_id} with {len(selection.runs)} baseline run(s)")
    first = compare_runs(selection.runs, first_metrics, settings=settings, allow_plan_mismatch=allow_plan_mismatch,
                         notes=selection.notes)
    runs = [first_run]
    second = None
    if needs_confirmation(first):
        flagged = sum(1 for m in first.metrics if m.verdict.value in ("regressed", "inconclusive"))
        message(f"gate: {flagged} metric(s) regressed or inconclusive; running the plan again to confirm")
        second_run = _finished(run_plan(2), record)
        runs.append(second_run)
        second = compare_runs(selection.runs, load_run(second_run.result), settings=settings,
                              allow_plan_mismatch=allow_plan_mismatch, notes=selection.notes)
    verdict = first if second is None else confirmed(first, second)
    return GateOutcome(comparison=verdict, first=first, second=second, runs=tuple(runs))


def _finished(run: GateRun, record: Callable[[Path], None] | None) -> GateRun:
    """A run that ended with a result, recorded at once (a later failure keeps it in the history)."""
    if run.code not in RUN_OK_CODES:
        raise RunFailed(run.code, run.run_dir)
    if not run.result.exists():
        raise ResultFileError(str(run.result), "no such file (the run wrote no result)")
    if record is not None:
        record(run.result)
    return run
