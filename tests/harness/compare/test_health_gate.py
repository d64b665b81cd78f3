"""The third verdict: a regression the measurement itself can explain is inconclusive, with the
reason; on clean measurements the same change is a regression. Exactly built results."""

from __future__ import annotations

from harness.compare import CompareSettings, Verdict, compare_runs, from_result
from harness.compare.inputs import RunMetrics
from tests.harness.compare.timed_runs import Conditions, TimedPlan, timed_result

BROWSE_P50 = "browse_problems/GET /api/v1/problems/latency_p50_ms"
BROWSE_P99 = "browse_problems/GET /api/v1/problems/latency_p99_ms"
HOG = Conditions(psi=36.0, other_cores=1.5)


def run(plan: TimedPlan, seed: int) -> RunMetrics:
    return from_result(timed_result(plan, seed=seed, run_id=f"run-{seed}"), source=f"run-{seed}.json")


def verdicts(baseline: RunMetrics, current: RunMetrics) -> dict[str, tuple[Verdict, str | None]]:
    comparison = compare_runs([baseline], current, settings=CompareSettings())
    return {m.key: (m.verdict, m.reason) for m in comparison.metrics}


def test_a_real_slowdown_on_a_clean_host_is_a_regression() -> None:
    found = verdicts(run(TimedPlan(), 1), run(TimedPlan(slower_ms=10.0), 2))
    assert found[BROWSE_P50] == (Verdict.REGRESSED, None)


def test_the_same_slowdown_under_a_busy_host_is_inconclusive_and_says_why() -> None:
    baseline, current = run(TimedPlan(), 1), run(TimedPlan(slower_ms=10.0, host=(HOG,)), 2)
    comparison = compare_runs([baseline], current, settings=CompareSettings())
    metric = next(m for m in comparison.metrics if m.key == BROWSE_P50)
    assert metric.verdict is Verdict.INCONCLUSIVE
    assert metric.reason is not None and metric.reason.startswith("current run: host CPU pressure 36 % vs 3 % in the baseline")
    assert "other processes 1.50 cores vs 0.02 cores in the baseline" in metric.reason
    assert "30 of 30 sample windows degraded (host CPU pressure, other processes' CPU)" in metric.reason
    assert comparison.inconclusive and not comparison.regressed
    assert any("current run run-2: measurement degraded" in note for note in comparison.notes)


def test_a_degraded_baseline_makes_a_regression_inconclusive_too() -> None:
    found = verdicts(run(TimedPlan(host=(HOG,)), 1), run(TimedPlan(slower_ms=10.0), 2))
    verdict, reason = found[BROWSE_P50]
    assert verdict is Verdict.INCONCLUSIVE and reason is not None and reason.startswith("baseline: 30 of 30 sample windows degraded")


def test_one_degraded_window_can_explain_a_p99_but_not_a_p50() -> None:
    """1 of 30 windows (3.3 % of the time) is more than p99 can bear (0.5 %), less than p50's 5 %."""
    blip = (Conditions(0, 10), Conditions(10, 11, psi=40.0, other_cores=1.2), Conditions(11, 30))
    found = verdicts(run(TimedPlan(), 1), run(TimedPlan(slower_ms=10.0, host=blip), 2))
    assert found[BROWSE_P50][0] is Verdict.REGRESSED
    assert found[BROWSE_P99][0] is Verdict.INCONCLUSIVE


def test_degraded_windows_outside_a_metrics_span_do_not_count() -> None:
    """Health after the load phase (t >= 60 s: a drain) does not touch metrics measured before it."""
    late = (Conditions(0, 30), Conditions(30, 40, psi=50.0, other_cores=1.8))
    found = verdicts(run(TimedPlan(), 1), run(TimedPlan(slower_ms=10.0, host=late), 2))
    assert found[BROWSE_P50][0] is Verdict.REGRESSED


def test_a_lagging_generator_makes_its_metrics_inconclusive() -> None:
    found = verdicts(run(TimedPlan(), 1), run(TimedPlan(slower_ms=10.0, lag_p99_ms=93.0), 2))
    verdict, reason = found[BROWSE_P50]
    assert verdict is Verdict.INCONCLUSIVE
    assert reason is not None and "generator start lag p99 93 ms in browse_problems (limit 50 ms)" in reason


def test_health_never_hides_nothing_and_never_invents_a_regression() -> None:
    """A degraded current run with no change stays unchanged (inconclusive is for would-be regressions)."""
    found = verdicts(run(TimedPlan(), 1), run(TimedPlan(host=(HOG,)), 2))
    assert all(verdict is not Verdict.INCONCLUSIVE for verdict, _ in found.values())
    assert all(verdict is not Verdict.REGRESSED for verdict, _ in found.values())


def test_a_result_without_health_is_said_so() -> None:
    baseline = run(TimedPlan(), 1)
    old = from_result(timed_result(TimedPlan(slower_ms=10.0), seed=2).model_copy(update={"health": None}), source="old.json")
    comparison = compare_runs([baseline], old, settings=CompareSettings())
    assert dict((m.key, m.verdict) for m in comparison.metrics)[BROWSE_P50] is Verdict.REGRESSED
    assert any("measurement health not recorded" in note for note in comparison.notes)
