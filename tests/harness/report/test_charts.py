"""The figure builders: which charts a result gets, and what they draw."""

from __future__ import annotations

import hashlib
from pathlib import Path

from harness.executors.scheduling import RateSegment
from harness.report.charts import build_charts
from harness.report.charts_traffic import latency_chart, throughput_chart
from harness.report.targets import curve_from_segments, mean_targets, plan_targets
from harness.results.model import RunResult, Samples

ROOT = Path(__file__).resolve().parents[3]
BASELINE_PLAN = ROOT / "scenarios" / "baseline.yaml"


def test_a_baseline_run_gets_every_chart(baseline_result: RunResult) -> None:
    charts, notes = build_charts(baseline_result, mean_targets(baseline_result))
    assert [c.id for c in charts] == ["timeline", "latency", "distribution", "throughput", "errors", "guardrail", "redis",
                                    "db_pool", "generator"]
    assert notes == []


def test_charts_without_data_are_left_out_with_a_reason(baseline_result: RunResult) -> None:
    bare = baseline_result.model_copy(update={"samples": Samples(interval_s=1.0),
                                              "metrics": {k: v for k, v in baseline_result.metrics.items()
                                                          if k != "guardrail_latency"}})
    charts, notes = build_charts(bare, {})
    assert [c.id for c in charts] == ["timeline", "latency", "distribution", "throughput", "errors", "generator"]
    assert any(n.startswith("redis:") for n in notes) and any(n.startswith("guardrail:") for n in notes)


def test_latency_bands_are_p50_then_p95_then_p99_per_scenario(baseline_result: RunResult) -> None:
    chart = latency_chart(baseline_result)
    names = [t.name for t in chart.figure.data]
    assert names == ["p50", "p50-p95", "p95-p99"] * len(baseline_result.scenarios)
    assert [t.fill for t in chart.figure.data[:3]] == [None, "tonexty", "tonexty"]


def test_throughput_draws_the_target_curve(baseline_result: RunResult) -> None:
    curve = [(0.0, 1.0), (2.0, 10.0)]
    chart = throughput_chart(baseline_result, {"agent_registration_burst": curve})
    target = next(t for t in chart.figure.data if t.name == "agent_registration_burst target")
    assert list(target.x) == [0.0, 2.0] and list(target.y) == [1.0, 10.0]


def test_ramp_targets_come_from_the_plan(baseline_result: RunResult) -> None:
    sha = hashlib.sha256(BASELINE_PLAN.read_bytes()).hexdigest()
    result = baseline_result.model_copy(update={"meta": baseline_result.meta.model_copy(
        update={"plan_path": str(BASELINE_PLAN), "plan_sha256": sha, "profile": "full"})})
    targets = plan_targets(result)
    assert targets.source == "plan" and targets.note is None
    assert targets.curves["agent_registration_burst"] == [(0.0, 1.0), (30.0, 10.0), (30.0, 10.0), (90.0, 50.0),
                                                          (90.0, 50.0), (120.0, 1.0)]
    assert targets.curves["browse_problems"] == [(0.0, 50.0), (300.0, 50.0)]


def test_a_changed_or_missing_plan_falls_back_to_mean_rates(baseline_result: RunResult, tmp_path: Path) -> None:
    changed = baseline_result.model_copy(update={"meta": baseline_result.meta.model_copy(
        update={"plan_path": str(BASELINE_PLAN), "plan_sha256": "0" * 64})})
    targets = plan_targets(changed)
    assert targets.source == "result" and "changed since the run" in (targets.note or "")
    stats = baseline_result.scenarios["search_missions"]
    assert targets.curves["search_missions"] == [(0.0, stats.target_rate_per_s),
                                                 (stats.duration_s, stats.target_rate_per_s)]
    missing = plan_targets(baseline_result, plan_path=tmp_path / "gone.yaml")
    assert missing.source == "result" and "not readable" in (missing.note or "")


def test_curve_from_segments() -> None:
    segments = (RateSegment(2.0, 0.0, 4.0), RateSegment(3.0, 4.0, 4.0))
    assert curve_from_segments(1.0, segments) == [(1.0, 0.0), (3.0, 4.0), (3.0, 4.0), (6.0, 4.0)]
