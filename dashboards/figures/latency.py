"""Latency figures: percentiles over one run, and p95 per scenario (across runs: `figures.trend`).

Pure: a run result in, a plotly Figure out. Budgets are the plan's
thresholds (`dashboards.budgets`), drawn dashed red.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.budgets import Budget, budget_label, budgets_for
from dashboards.figures.style import (
    budget_lines,
    colour_of,
    empty_figure,
    log_ms_axis,
    themed,
)
from harness.results import RunResult, SeriesPointModel

PERCENTILES = ((50.0, "p50_ms"), (95.0, "p95_ms"), (99.0, "p99_ms"))
OVER_RUN_TITLE = "Latency over the run, per scenario (ms, log scale)"
BY_SCENARIO_TITLE = "p95 latency per scenario, whole run (ms)"


def latency_over_run(result: RunResult, *, budgets: Sequence[Budget], colours: Mapping[str, str]) -> go.Figure:
    """p50, p95 and p99 of each scenario in each window of the run, one row per percentile."""
    windows = _windows_by_scenario(result.time_series)
    if not windows:
        return empty_figure("This run recorded no time series.", title=OVER_RUN_TITLE)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=[f"p{int(p)} (ms)" for p, _ in PERCENTILES])
    for row, (percentile, field) in enumerate(PERCENTILES, start=1):
        for scenario, points in windows.items():
            fig.add_scatter(
                x=[p.t_s for p in points],
                y=[getattr(p, field) for p in points],
                name=scenario,
                legendgroup=scenario,
                showlegend=row == 1,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": colour_of(scenario, colours), "width": 2},
                hovertemplate=f"{scenario} p{int(percentile)}: %{{y:.1f}} ms at %{{x:.0f}} s<extra></extra>",
                row=row,
                col=1,
            )
        budget_lines(fig, [(b.limit_ms, budget_label(b)) for b in budgets_for(budgets, percentile)],
                     row=row, col=1, log_axis=True)
    log_ms_axis(fig, title="ms")
    fig.update_xaxes(title_text=f"seconds into the run (windows of {result.meta.window_s:g} s)", row=3, col=1)
    fig = themed(fig, title=OVER_RUN_TITLE, height=760)
    fig.update_layout(legend={"y": -0.08})
    return fig


def p95_by_scenario(result: RunResult, *, budgets: Sequence[Budget], colours: Mapping[str, str]) -> go.Figure:
    """Each scenario's p95 over the whole run, against the p95 budgets."""
    names = [n for n, s in result.scenarios.items() if s.http_req_duration is not None]
    if not names:
        return empty_figure("No scenario made HTTP requests in this run.", title=BY_SCENARIO_TITLE)
    values = [result.scenarios[n].http_req_duration.p95 for n in names]  # type: ignore[union-attr]
    fig = go.Figure(go.Bar(
        x=names,
        y=values,
        marker_color=[colour_of(n, colours) for n in names],
        text=[f"{v:.1f} ms" for v in values],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: p95 %{y:.1f} ms<extra></extra>",
        name="p95",
    ))
    budget_lines(fig, [(b.limit_ms, budget_label(b)) for b in budgets_for(budgets, 95.0)])
    fig.update_yaxes(title_text="ms", rangemode="tozero")
    return themed(fig, title=BY_SCENARIO_TITLE, height=360)


def _windows_by_scenario(points: Sequence[SeriesPointModel]) -> dict[str, list[SeriesPointModel]]:
    grouped: dict[str, list[SeriesPointModel]] = defaultdict(list)
    for point in points:
        grouped[point.scenario].append(point)
    return {name: sorted(grouped[name], key=lambda p: p.t_s) for name in sorted(grouped)}
