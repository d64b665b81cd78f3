"""The trend panel: each request's p95 across a plan's runs, the baseline band the comparison
engine judges against, change points (`harness.baselines`) marked, each point naming its run in
`customdata` (the Latency page turns a click into that run's address).

Pure: history series in, a plotly Figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import plotly.graph_objects as go

from dashboards.comparison import BaselineBand
from dashboards.figures.style import (
    ALL_REQUESTS,
    BUDGET_RED,
    GOOD_GREEN,
    LIMIT_GREY,
    budget_line,
    empty_figure,
    log_ms_axis,
    series_colours,
    themed,
    time_axis,
)
from dashboards.history import request_of, scenario_of
from harness.baselines import ChangePoint, Series
from harness.compare import ALL

HISTORY_TITLE = "p95 per request across runs (ms, log)"  # the section says what ✕, the band and a click do
LEGEND_NAME_AT = 34  # longer series names break before the request, so a phone's legend shows them whole
BAND_FILL = "rgba(85, 85, 85, 0.12)"
BAND_NAME = "baseline band"


def p95_history(
    series: Sequence[Series],
    changes: Mapping[str, Sequence[ChangePoint]],
    *,
    colours: Mapping[str, str],
    budget_ms: float | None = None,
    selected: tuple[str, datetime] | None = None,
    band: BaselineBand | None = None,
) -> go.Figure:
    """Each request's p95 across runs; change points as ✕ (red: regression, green: improvement);
    the whole run's baseline band shaded grey behind the lines."""
    if not series:
        return empty_figure("No run history with latency yet.", title=HISTORY_TITLE)
    fig = go.Figure()
    moments = sorted({p.moment for s in series for p in s.points})
    if band is not None and moments:
        _band(fig, band, moments)
    line_colours = series_colours([(scenario_of(s.key), request_of(s.key)) for s in series], colours)
    for s, colour in zip(series, line_colours, strict=True):
        whole_run = scenario_of(s.key) == ALL
        fig.add_scatter(
            x=[p.moment for p in s.points],
            y=[p.value for p in s.points],
            customdata=[p.run_id for p in s.points],
            name="all requests" if whole_run else _series_name(s.key),
            mode="lines+markers",
            line={"color": ALL_REQUESTS if whole_run else colour,
                  "width": 3 if whole_run else 2, "dash": "dot" if whole_run else "solid"},
            marker={"size": 7},
            hovertemplate="%{customdata}<br>%{x}<br>%{y:,.1f} ms<extra>%{fullData.name}</extra>",
        )
    _change_markers(fig, series, changes)
    if budget_ms is not None:
        budget_line(fig, y=budget_ms, label=f"budget p(95)<{budget_ms:g} ms", log_axis=True, x=1.0, xanchor="right")
    if selected is not None:
        _selected_run_marker(fig, *selected, right_half=selected[1] > moments[0] + (moments[-1] - moments[0]) / 2)
    log_ms_axis(fig, title="p95 (ms)")
    caption = time_axis(fig, moments, what="by run start")
    fig = themed(fig, title=f"{HISTORY_TITLE}<br><sup>{caption}</sup>", height=520)
    fig.update_layout(legend={"y": -0.12}, margin={"t": 80}, hovermode="closest")
    return fig


def _series_name(key: str) -> str:
    scenario, request = scenario_of(key), request_of(key)
    joiner = "<br>" if len(scenario) + len(request) + 3 > LEGEND_NAME_AT else " · "
    return f"{scenario}{joiner}{request}"


def _band(fig: go.Figure, band: BaselineBand, moments: Sequence[datetime]) -> None:
    """A filled trace (not a shape), so the legend names it and a hover reads its limits."""
    first, last = moments[0], moments[-1]
    fig.add_scatter(
        x=[first, last, last, first, first],
        y=[band.low, band.low, band.high, band.high, band.low],
        fill="toself", fillcolor=BAND_FILL, line={"width": 0}, mode="lines", name=BAND_NAME,
        text=[band.label] * 5, hoverinfo="text", hoveron="fills",
    )
    fig.add_scatter(x=[first, last], y=[band.value, band.value], mode="lines", name=f"baseline {band.run_id}",
                    line={"color": LIMIT_GREY, "width": 1, "dash": "dash"}, hoverinfo="skip", showlegend=False)


def _change_markers(fig: go.Figure, series: Sequence[Series], changes: Mapping[str, Sequence[ChangePoint]]) -> None:
    kinds = {"regression": BUDGET_RED, "improvement": GOOD_GREEN, "change": LIMIT_GREY}
    for kind, colour in kinds.items():
        xs, ys, texts, runs = [], [], [], []
        for s in series:
            for change in changes.get(s.key, ()):
                if change.verdict != kind:
                    continue
                point = s.points[change.index]
                xs.append(point.moment)
                ys.append(point.value)
                runs.append(point.run_id)
                texts.append(f"{s.key}: {change.change_pct:+.0f} % from {point.run_id} "
                             f"({change.before:,.1f} → {change.after:,.1f} ms)")
        if xs:
            fig.add_scatter(x=xs, y=ys, text=texts, customdata=runs, mode="markers", name=f"change point: {kind}",
                            marker={"symbol": "x-thin-open", "size": 16, "line": {"width": 3, "color": colour},
                                    "color": colour},
                            hovertemplate="%{text}<extra></extra>")


def _selected_run_marker(fig: go.Figure, run_id: str, moment: datetime, *, right_half: bool) -> None:
    """A dotted line at the shown run, its label on the side with room (inside the chart)."""
    fig.add_shape(type="line", x0=moment, x1=moment, y0=0, y1=1, xref="x", yref="paper",
                  line={"color": LIMIT_GREY, "width": 1, "dash": "dot"})
    fig.add_annotation(x=moment, y=1, xref="x", yref="paper", text=f"shown run: {run_id}", showarrow=False,
                       yanchor="bottom", xanchor="right" if right_half else "left",
                       font={"size": 11, "color": LIMIT_GREY})
