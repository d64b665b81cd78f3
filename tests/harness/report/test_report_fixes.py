"""Issue 16's report.html fixes, on the figures: the VUs chart names every scenario in a legend,
the Redis note sits above the plot (over no line), the bend chart's VUs axis is labelled and whole."""

from __future__ import annotations

from harness.report.charts_system import generator_chart, redis_chart
from harness.report.goals_section import bend_chart
from harness.results.model import RunResult


def test_the_vus_chart_has_one_legend_entry_per_scenario(baseline_result: RunResult) -> None:
    fig = generator_chart(baseline_result).figure
    shown = [t.name for t in fig.data if t.showlegend]
    assert shown == list(baseline_result.scenarios)
    # every scenario's other traces follow its legend entry (same group), none is left unnamed
    line_traces = [t for t in fig.data if t.type == "scatter"]
    assert {t.legendgroup for t in line_traces} == set(baseline_result.scenarios)
    assert fig.layout.legend.orientation == "h"


def test_the_redis_note_sits_above_the_plot_area(baseline_result: RunResult) -> None:
    chart = redis_chart(baseline_result)
    assert chart is not None
    [note] = [a for a in chart.figure.layout.annotations if "above this scale" in a.text]
    assert note.yref == "paper" and note.y >= 1 and note.yanchor == "bottom"


def test_the_bend_chart_labels_its_vus_axis_with_whole_ticks(baseline_result: RunResult) -> None:
    chart = bend_chart(baseline_result)
    assert chart is not None
    fig = chart.figure
    [vus] = [t for t in fig.data if t.name == "active VUs"]
    right = fig.layout[f"yaxis{vus.yaxis[1:]}"]
    assert right.title.text == "active VUs" and right.tickformat == "d" and right.dtick >= 1
    assert right.range[0] == 0 and right.range[1] >= max(vus.y)
    assert fig.layout.yaxis.title.text == "p95 ms"
