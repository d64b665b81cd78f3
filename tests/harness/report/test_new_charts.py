"""The one-time-axis chart and the response-time distribution carry the result's own numbers, and
the insights reach both report files."""

from __future__ import annotations

import math
from pathlib import Path

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from harness.metrics.hdr import decode
from harness.report import distribution_figure, timeline_figure
from harness.report.charts_distribution import request_label
from harness.report.markdown import render_markdown
from harness.report.series import scenario_series
from harness.report.writer import write_report
from harness.results import save_result
from harness.results.model import RunResult


def _trace(fig: go.Figure, name: str) -> BaseTraceType:
    [trace] = [t for t in fig.data if t.name == name]
    return trace


def test_the_time_axis_rows_add_up_the_scenarios_windows(baseline_result: RunResult) -> None:
    fig = timeline_figure(baseline_result)
    series = scenario_series(baseline_result)
    times = sorted({t for s in series.values() for t in s.t_s})

    def summed(key: str) -> list[float]:
        return [sum(getattr(s, key)[s.t_s.index(t)] for s in series.values() if t in s.t_s) for t in times]
    assert list(_trace(fig, "requests/s").x) == times
    assert list(_trace(fig, "requests/s").y) == summed("requests_per_s")
    assert list(_trace(fig, "busy VUs").y) == summed("active_vus")
    assert list(_trace(fig, "iterations started/s").y) == summed("iterations_per_s")
    worst = [max(s.p95_ms[s.t_s.index(t)] or 0.0 for s in series.values() if t in s.t_s) for t in times]
    assert list(_trace(fig, "p95 ms").y) == worst
    assert list(_trace(fig, "ok/s").y) == summed("requests_per_s")  # the recorded run has no HTTP failure
    assert set(_trace(fig, "failed %").y) == {0.0}
    # one shared x axis: every row's x axis matches the bottom one
    assert [fig.layout[k].matches for k in ("xaxis", "xaxis2", "xaxis3", "xaxis4")] == ["x5"] * 4


def test_failures_show_in_their_outcome_class_and_the_failure_rate(baseline_result: RunResult) -> None:
    first = min(p.t_s for p in baseline_result.time_series)
    points = [p.model_copy(update={"failures": {"429": 6, "5xx": 4}}) if p.t_s == first and i == 0 else p
              for i, p in enumerate(sorted(baseline_result.time_series, key=lambda p: (p.t_s, p.scenario)))]
    result = baseline_result.model_copy(update={"time_series": points})
    fig = timeline_figure(result)
    window_s = result.meta.window_s
    assert _trace(fig, "429/s").y[0] == 6 / window_s and _trace(fig, "5xx/s").y[0] == 4 / window_s
    requests = sum(p.requests for p in points if p.t_s == first)
    assert math.isclose(_trace(fig, "failed %").y[0], 100 * 10 / requests)
    assert math.isclose(_trace(fig, "ok/s").y[0], (requests - 10) / window_s)


def test_each_request_distribution_counts_every_response(baseline_result: RunResult) -> None:
    fig = distribution_figure(baseline_result)
    assert [t.name for t in fig.data] == [request_label(r) for r in baseline_result.requests if r.count]
    for request in baseline_result.requests:
        trace = _trace(fig, request_label(request))
        assert sum(trace.y) == request.count == decode(request.duration_ms.hdr).get_total_count()
        lower = [c[0] for c in trace.customdata]
        upper = [c[1] for c in trace.customdata]
        assert lower[0] <= request.duration_ms.min * 1.01 and upper[-1] >= request.duration_ms.max * 0.99
        assert math.isclose(sum(c[2] for c in trace.customdata), 100.0)
    assert fig.layout.xaxis.type == "log"


def test_insights_open_both_report_files(stress_result: RunResult, tmp_path: Path) -> None:
    save_result(stress_result, tmp_path / "result.json")
    html = write_report(tmp_path).html.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert html.index('id="verdict"') < html.index('id="insights"') < html.index('id="goals"')
    assert "40 dropped iterations: about" in html and 'class="insight insight-critical"' in html
    summary = render_markdown(stress_result)
    section = summary.split("## Insights", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == 2 and lines[0].startswith("- **critical**: ") and "40 dropped iterations" in lines[0]
    assert lines[1].startswith("- **warning**: Host busy during the measurement")


def test_a_clean_run_says_no_insight(clean_result: RunResult) -> None:
    assert "No insight: " in render_markdown(clean_result).split("## Insights", 1)[1].split("\n## ", 1)[0]
