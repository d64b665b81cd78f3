"""The gate's sequence with stand-in runs (results built through the real model) and a real
history folder: when it runs twice, what it records, and its exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.baselines.runs import gather_baselines, record_with_result
from harness.compare.config import CompareSettings
from harness.errors import EXIT_INCONCLUSIVE, EXIT_OK, EXIT_REGRESSION, EXIT_THRESHOLDS_FAILED
from harness.gate.flow import GateRun, RunFailed, run_gate
from harness.results import save_result
from tests.harness.compare.timed_runs import Conditions, TimedPlan, timed_result

HOG = Conditions(psi=36.0, other_cores=1.5)


class Runs:
    """Hands out prepared results as the gate asks for runs, and counts them."""

    def __init__(self, out: Path, plans: list[TimedPlan], *, codes: list[int] | None = None) -> None:
        self.out, self.plans, self.codes, self.asked = out, plans, codes or [0] * len(plans), 0

    def __call__(self, number: int) -> GateRun:
        assert number == self.asked + 1
        plan = self.plans[self.asked]
        run_dir = self.out / f"gate-{self.asked}"
        save_result(timed_result(plan, seed=100 + self.asked, run_id=f"gate-{self.asked}"), run_dir / "result.json")
        self.asked += 1
        return GateRun(code=self.codes[self.asked - 1], run_dir=run_dir)


def history_with(tmp_path: Path, count: int) -> Path:
    history = tmp_path / "history"
    for index in range(count):
        path = tmp_path / "seed" / f"b{index}" / "result.json"
        save_result(timed_result(TimedPlan(), seed=50 + index, run_id=f"b{index}"), path)
        record_with_result(path, directory=history)
    return history


def gate(tmp_path: Path, runs: Runs, history: Path) -> object:
    return run_gate(
        run_plan=runs,
        baselines_for=lambda current: gather_baselines([], history_dir=history, current=current),
        settings=CompareSettings(),
        record=lambda result: record_with_result(result, directory=history),
    )


def test_a_clean_run_is_judged_once(tmp_path: Path) -> None:
    history = history_with(tmp_path, 2)
    runs = Runs(tmp_path / "runs", [TimedPlan(), TimedPlan()])
    outcome = gate(tmp_path, runs, history)
    assert runs.asked == 1 and outcome.second is None and outcome.exit_code == EXIT_OK


def test_a_regression_both_runs_show_fails_with_exit_1(tmp_path: Path) -> None:
    history = history_with(tmp_path, 2)
    runs = Runs(tmp_path / "runs", [TimedPlan(slower_ms=10.0), TimedPlan(slower_ms=10.0)])
    outcome = gate(tmp_path, runs, history)
    assert runs.asked == 2 and outcome.comparison.regressed and outcome.exit_code == EXIT_REGRESSION
    assert {"gate-0", "gate-1"} <= {line.split('"run_id":"')[1].split('"')[0]
                                    for line in (history / "history.jsonl").read_text().splitlines()}


def test_a_regression_the_confirming_run_does_not_show_passes_with_a_note(tmp_path: Path) -> None:
    history = history_with(tmp_path, 2)
    runs = Runs(tmp_path / "runs", [TimedPlan(slower_ms=10.0), TimedPlan()])
    outcome = gate(tmp_path, runs, history)
    assert runs.asked == 2 and outcome.exit_code == EXIT_OK
    assert any("not confirmed" in note for note in outcome.comparison.notes)


def test_a_busy_host_in_both_runs_is_inconclusive_exit_4(tmp_path: Path) -> None:
    history = history_with(tmp_path, 2)
    busy = TimedPlan(slower_ms=10.0, host=(HOG,))
    outcome = gate(tmp_path, Runs(tmp_path / "runs", [busy, busy]), history)
    assert outcome.exit_code == EXIT_INCONCLUSIVE and outcome.comparison.inconclusive


def test_a_degraded_run_is_recorded_but_never_used_as_a_baseline(tmp_path: Path) -> None:
    history = history_with(tmp_path, 1)
    busy = TimedPlan(host=(HOG,))
    gate(tmp_path, Runs(tmp_path / "runs", [busy]), history)
    current = timed_result(TimedPlan(), seed=999, run_id="later")
    path = tmp_path / "later" / "result.json"
    save_result(current, path)
    from harness.compare.loading import load_run

    selection = gather_baselines([], history_dir=history, current=load_run(path))
    assert [run.run_id for run in selection.runs] == ["b0"]
    assert any("1 with degraded measurement" in note for note in selection.notes)


def test_thresholds_that_failed_give_99_and_a_broken_run_stops_the_gate(tmp_path: Path) -> None:
    history = history_with(tmp_path, 1)
    outcome = gate(tmp_path, Runs(tmp_path / "r1", [TimedPlan()], codes=[EXIT_THRESHOLDS_FAILED]), history)
    assert outcome.exit_code == EXIT_THRESHOLDS_FAILED
    with pytest.raises(RunFailed) as failure:
        gate(tmp_path, Runs(tmp_path / "r2", [TimedPlan()], codes=[130]), history)
    assert failure.value.exit_code == 130


def test_the_history_alone_is_the_baseline_once_it_holds_five_comparable_clean_runs(tmp_path: Path) -> None:
    from harness.compare.loading import load_run

    history = history_with(tmp_path, 5)
    explicit = tmp_path / "explicit.json"
    save_result(timed_result(TimedPlan(slower_ms=30.0), seed=7, run_id="explicit"), explicit)
    current = tmp_path / "current.json"
    save_result(timed_result(TimedPlan(), seed=8, run_id="current"), current)
    selection = gather_baselines([explicit], history_dir=history, current=load_run(current))
    assert [run.run_id for run in selection.runs] == ["b0", "b1", "b2", "b3", "b4"]
    fewer = gather_baselines([explicit], history_dir=history_with(tmp_path / "small", 2), current=load_run(current))
    assert [run.run_id for run in fewer.runs] == ["explicit", "b0", "b1"]
