"""The rows the three renderers share: verdict, units of observed values, scenarios."""

from __future__ import annotations

from harness.report.tables import (
    format_observed,
    scenario_rows,
    verdict_rows,
)
from harness.results.model import RunResult


def test_observed_values_carry_the_thresholds_unit(baseline_result: RunResult) -> None:
    r = baseline_result
    assert format_observed(r, "http_req_duration{scenario:x}", "p(95)<200", 12.345) == "12.3 ms"
    assert format_observed(r, "guardrail_latency", "p(95)<2000", 1582.14) == "1582.1 ms"
    assert format_observed(r, "http_req_failed", "rate<0.001", 0.00123) == "0.123 %"
    assert format_observed(r, "errors", "rate<0.01", 0.0) == "0 %"
    assert format_observed(r, "iterations", "count==100", 100.0) == "100"
    assert format_observed(r, "iterations", "rate>5", 5.5) == "5.5/s"
    assert format_observed(r, "errors", "rate<0.01", None) == "no data"


def test_verdict_rows_follow_the_thresholds(baseline_result: RunResult) -> None:
    rows = verdict_rows(baseline_result)
    assert [(r.threshold, r.expression, r.ok) for r in rows] == [
        (t.metric, t.expression, t.ok) for t in baseline_result.thresholds]
    aborted = [t.model_copy(update={"ok": False, "aborted_run": True}) for t in baseline_result.thresholds[:1]]
    row = verdict_rows(baseline_result.model_copy(update={"thresholds": aborted}))[0]
    assert (row.verdict, row.note) == ("FAILED", "aborted the run")


def test_scenario_rows_show_the_share_of_the_target(baseline_result: RunResult) -> None:
    rows = {r.scenario: r for r in scenario_rows(baseline_result)}
    stats = baseline_result.scenarios["browse_problems"]
    share = 100 * stats.achieved_rate_per_s / stats.target_rate_per_s
    assert rows["browse_problems"].achieved == f"{stats.achieved_rate_per_s:.2f}/s ({share:.1f} %)"
    assert rows["browse_problems"].p95 == f"{stats.http_req_duration.p95:.1f}"
