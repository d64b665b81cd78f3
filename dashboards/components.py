"""Small Dash building blocks every page uses: sections, cards, notices, tables, charts, and the
empty and broken-file states."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from dashboards.data import RunEntry
from dashboards.figures.style import GRAPH_CONFIG

SMOKE_RUN_COMMAND = "bwperf run scenarios/baseline.yaml --profile smoke"
DEMO_COMMAND = "make demo"


def section(title: str, *children: Any, subtitle: str | None = None, id: str | None = None) -> html.Section:
    header: list[Any] = [html.H2(title)]
    if subtitle:
        header.append(html.P(subtitle, className="subtitle"))
    return html.Section([*header, *children], className="panel", **({"id": id} if id else {}))


def card(label: str, value: str, *, tone: str = "neutral", detail: str | None = None) -> html.Div:
    parts = [html.Div(label, className="card-label"), html.Div(value, className="card-value")]
    if detail:
        parts.append(html.Div(detail, className="card-detail"))
    return html.Div(parts, className=f"card tone-{tone}")


def cards(*items: html.Div, id: str | None = None) -> html.Div:
    return html.Div(list(items), className="cards", **({"id": id} if id else {}))


def notice(text: Any, *, tone: str = "info", id: str | None = None) -> html.Div:
    """tone: info, warning, error, ok."""
    return html.Div(text, className=f"notice notice-{tone}", role="alert" if tone in ("warning", "error") else None,
                    **({"id": id} if id else {}))


def chart(chart_id: str, figure: go.Figure) -> dcc.Graph:
    """A chart as wide as its container, redrawn when the window resizes (a phone's 390 px as well as a
    wide screen); the figure keeps its own height (dcc.Graph's `responsive=True` would drop it)."""
    return dcc.Graph(id=chart_id, figure=figure, config={**GRAPH_CONFIG, "responsive": True},
                     className="chart", style={"width": "100%"})


def scrolling(child: Any) -> html.Div:
    """A wide block (a table) that scrolls sideways inside its own box instead of widening the page."""
    return html.Div(child, className="table-scroll")


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, row_classes: Sequence[str] | None = None,
          id: str | None = None, numeric: Sequence[int] = ()) -> html.Div:
    """A plain table (in a box that scrolls sideways when it is wider than the page); `numeric` column
    indices are right-aligned."""
    head = html.Thead(html.Tr([html.Th(c, className="num" if i in numeric else None) for i, c in enumerate(columns)]))
    body = []
    for index, row in enumerate(rows):
        cells = [html.Td(value, className="num" if i in numeric else None) for i, value in enumerate(row)]
        body.append(html.Tr(cells, className=row_classes[index] if row_classes else None))
    return scrolling(html.Table([head, html.Tbody(body)], className="data-table", **({"id": id} if id else {})))


def empty_state(results_dir: Path, *, page: str) -> html.Div:
    """What a page says when there is no run to show: how to make one."""
    return html.Div([
        html.H2(f"No runs yet: nothing for {page} to show"),
        html.P(["The dashboard reads run results from ", html.Code(f"{results_dir}/<run-id>/result.json"),
                " and found none. Make one:"]),
        html.Pre(html.Code(SMOKE_RUN_COMMAND)),
        html.P([("a short run of the baseline plan against the embedded stack (PostgreSQL, Valkey, API and worker "
                 "start by themselves), or "), html.Code(DEMO_COMMAND), " for the guided demo."]),
        html.P("This page follows new runs as they land; there is no need to reload it."),
    ], className="panel empty-state", id="empty-state")


def broken_banner(broken: Sequence[RunEntry]) -> html.Div | None:
    """One line per result file that could not be read, each naming the file."""
    if not broken:
        return None
    noun = "file" if len(broken) == 1 else "files"
    return html.Div([
        html.Strong(f"{len(broken)} result {noun} could not be read; the other runs are shown."),
        html.Ul([html.Li(entry.error or str(entry.path), className="broken-file") for entry in broken]),
    ], className="notice notice-error", role="alert", id="broken-files")


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} ms"


def fmt_pct(value: float | None, *, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100.0 * value:.{digits}f} %"
