"""Latency figures: percentiles over one run, p95 per scenario, p95 across runs with change points.

Pure: a run result (or history series) in, a plotly Figure out. Budgets are the plan's
thresholds (`dashboards.budgets`), drawn dashed red.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.budgets import Budget, budget_label, budgets_for
from dashboards.figures.style import (
    ALL_REQUESTS,
    BUDGET_RED,
    GOOD_GREEN,
    LIMIT_GREY,
    budget_line,
    colour_of,
    empty_figure,
    log_ms_axis,
    themed,
)
from dashboards.history import request_of, scenario_of
from harness.baselines import ChangePoint, Series
from harness.compare import ALL
from harness.results import RunResult, SeriesPointModel

PERCENTILES = ((50.0, "p50_ms"), (95.0, "p95_ms"), (99.0, "p99_ms"))
OVER_RUN_TITLE = "Latency over the run, per scenario (ms, log scale)"
BY_SCENARIO_TITLE = "p95 latency per scenario, whole run (ms)"
HISTORY_TITLE = "p95 latency across runs (ms, log scale); ✕ marks a change point"


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
        for budget in budgets_for(budgets, percentile):
            budget_line(fig, y=budget.limit_ms, label=budget_label(budget), row=row, col=1, log_axis=True)
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
    for budget in budgets_for(budgets, 95.0):
        budget_line(fig, y=budget.limit_ms, label=budget_label(budget))
    fig.update_yaxes(title_text="ms", rangemode="tozero")
    return themed(fig, title=BY_SCENARIO_TITLE, height=360)


def p95_history(
    series: Sequence[Series],
    changes: Mapping[str, Sequence[ChangePoint]],
    *,
    colours: Mapping[str, str],
    budget_ms: float | None = None,
    selected: tuple[str, datetime] | None = None,
) -> go.Figure:
    """Each request's p95 across runs; change points as ✕ (red: regression, green: improvement)."""
    if not series:
        return empty_figure("No run history with latency yet.", title=HISTORY_TITLE)
    fig = go.Figure()
    for s in series:
        scenario = scenario_of(s.key)
        whole_run = scenario == ALL
        fig.add_scatter(
            x=[p.moment for p in s.points],
            y=[p.value for p in s.points],
            customdata=[p.run_id for p in s.points],
            name="all requests" if whole_run else f"{scenario} · {request_of(s.key)}",
            mode="lines+markers",
            line={"color": ALL_REQUESTS if whole_run else colour_of(scenario, colours),
                  "width": 3 if whole_run else 2, "dash": "dot" if whole_run else "solid"},
            marker={"size": 6},
            hovertemplate="%{customdata}<br>%{y:.1f} ms<extra>%{fullData.name}</extra>",
        )
    _change_markers(fig, series, changes)
    if budget_ms is not None:
        budget_line(fig, y=budget_ms, label=f"budget p(95)<{budget_ms:g} ms", log_axis=True)
    if selected is not None:
        _selected_run_marker(fig, *selected)
    log_ms_axis(fig, title="p95 (ms)")
    fig.update_xaxes(title_text="run start (UTC)")
    fig = themed(fig, title=HISTORY_TITLE, height=500)
    fig.update_layout(legend={"y": -0.3}, margin={"b": 90})  # date ticks take two lines
    return fig


def _change_markers(fig: go.Figure, series: Sequence[Series], changes: Mapping[str, Sequence[ChangePoint]]) -> None:
    kinds = {"regression": BUDGET_RED, "improvement": GOOD_GREEN, "change": LIMIT_GREY}
    for kind, colour in kinds.items():
        xs, ys, texts = [], [], []
        for s in series:
            for change in changes.get(s.key, ()):
                if change.verdict != kind:
                    continue
                point = s.points[change.index]
                xs.append(point.moment)
                ys.append(point.value)
                texts.append(f"{s.key}: {change.change_pct:+.0f} % from {point.run_id} "
                             f"({change.before:.1f} → {change.after:.1f} ms)")
        if xs:
            fig.add_scatter(x=xs, y=ys, text=texts, mode="markers", name=f"change point: {kind}",
                            marker={"symbol": "x-thin-open", "size": 16, "line": {"width": 3, "color": colour},
                                    "color": colour},
                            hovertemplate="%{text}<extra></extra>")


def _selected_run_marker(fig: go.Figure, run_id: str, moment: datetime) -> None:
    fig.add_shape(type="line", x0=moment, x1=moment, y0=0, y1=1, xref="x", yref="paper",
                  line={"color": LIMIT_GREY, "width": 1, "dash": "dot"})
    fig.add_annotation(x=moment, y=1, xref="x", yref="paper", text=f"shown run: {run_id}", showarrow=False,
                       yanchor="bottom", font={"size": 11, "color": LIMIT_GREY})


def _windows_by_scenario(points: Sequence[SeriesPointModel]) -> dict[str, list[SeriesPointModel]]:
    grouped: dict[str, list[SeriesPointModel]] = defaultdict(list)
    for point in points:
        grouped[point.scenario].append(point)
    return {name: sorted(grouped[name], key=lambda p: p.t_s) for name in sorted(grouped)}
