"""Confirm before failing: the two-run rule of `bwperf gate`, on exactly built comparisons."""

from __future__ import annotations

import pytest

from harness.compare.config import CompareSettings
from harness.compare.confirm import confirmed, needs_confirmation
from harness.compare.engine import Comparison, MetricComparison, RunRef
from harness.compare.inputs import Direction, Unit
from harness.compare.rules import MetricRule, Verdict

R, INC, U, W, IMP = Verdict.REGRESSED, Verdict.INCONCLUSIVE, Verdict.UNCHANGED, Verdict.WITHIN_NOISE, Verdict.IMPROVED


def metric(key: str, verdict: Verdict, *, delta_pct: float = 30.0, reason: str | None = None) -> MetricComparison:
    return MetricComparison(key=key, unit=Unit.MS, direction=Direction.LOWER_IS_BETTER, baseline=10.0, current=13.0,
                            delta=3.0, delta_pct=delta_pct, noise=1.0, noise_source="CI", verdict=verdict,
                            rule=MetricRule(threshold_pct=20.0, floor=5.0), baseline_values=(10.0,),
                            reason=reason if reason or verdict is not INC else "current run: host CPU pressure 36 %")


def comparison(run_id: str, *metrics: MetricComparison) -> Comparison:
    return Comparison(baselines=(RunRef("base", "base.json", "bwperf run result"),), current=RunRef(run_id, f"{run_id}.json", "bwperf run result"),
                      settings=CompareSettings(), metrics=metrics)


@pytest.mark.parametrize(("first", "second", "final"), [
    (R, R, R),
    (R, INC, INC),
    (INC, R, INC),
    (INC, INC, INC),
    (R, U, U),
    (R, W, W),
    (INC, U, U),
    (INC, IMP, IMP),
    (U, R, R),  # a first run that was clean has no say (the gate would not have run a second)
])
def test_the_two_run_table(first: Verdict, second: Verdict, final: Verdict) -> None:
    joined = confirmed(comparison("r1", metric("a/latency_p95_ms", first)), comparison("r2", metric("a/latency_p95_ms", second)))
    assert joined.metrics[0].verdict is final
    assert joined.current.run_id == "r2"


def test_a_regression_both_runs_show_fails_and_one_that_vanished_is_noted() -> None:
    first = comparison("r1", metric("a", R, delta_pct=31.0), metric("b", R, delta_pct=40.0))
    second = comparison("r2", metric("a", R, delta_pct=28.0), metric("b", U, delta_pct=2.0))
    joined = confirmed(first, second)
    assert joined.regressed and [m.verdict for m in joined.metrics] == [R, U]
    assert any("b: regressed in the first run (+40.0 %), unchanged in the confirming run (+2.0 %): not confirmed" in n
               for n in joined.notes)


def test_a_flag_in_each_run_without_two_regressions_is_inconclusive_with_both_reasons() -> None:
    joined = confirmed(comparison("r1", metric("a", R, delta_pct=31.0)), comparison("r2", metric("a", INC, reason="current run: steal 12 %")))
    final = joined.metrics[0]
    assert final.verdict is INC and joined.inconclusive and not joined.regressed
    assert final.reason == ("not confirmed by both runs: first run regressed (+31.0 %); "
                            "confirming run inconclusive (current run: steal 12 %)")


def test_only_flagged_comparisons_need_a_second_run() -> None:
    assert not needs_confirmation(comparison("r1", metric("a", U), metric("b", W), metric("c", IMP)))
    assert needs_confirmation(comparison("r1", metric("a", U), metric("b", INC)))
    assert needs_confirmation(comparison("r1", metric("a", R)))


def test_metrics_missing_from_the_confirming_run_are_noted() -> None:
    joined = confirmed(comparison("r1", metric("a", R), metric("gone", R)), comparison("r2", metric("a", R)))
    assert [m.key for m in joined.metrics] == ["a"]
    assert any("missing from the confirming run: gone" in note for note in joined.notes)
