"""Costs: the cost-tier model (seed 10) per tier, infrastructure vs AI stacked, unit costs,
what-ifs, the sensitivity of one chosen tier, and the shown run's measured projection.

Shown with or without runs: the model prices the tiers by itself; a run adds the projection.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboards.components import chart, notice, section
from dashboards.context import DashboardData, PageContext
from dashboards.costs import cost_view
from dashboards.figures.style import empty_figure
from dashboards.pages.common import run_heading
from harness.costs import (
    CostModel,
    Table,
    for_any_width,
    format_cell,
    projection_figure,
    summary_table,
    tier_stack_figure,
    tornado,
    tornado_figure,
    unit_costs_figure,
    unit_table,
    whatif_figure,
)

PATH = "/costs"
NAME = "Costs"
SHOWS_WITHOUT_RUNS = True


def render(ctx: PageContext) -> list[Any]:
    model, error = ctx.data.cost_model()
    heading = (run_heading(ctx.result, following=ctx.following, page_title="Costs") if ctx.result is not None
               else html.Div(html.H1("Costs"), className="page-heading"))
    if model is None:
        return [heading, notice(f"The cost model cannot be read: {error}", tone="error", id="cost-model-error")]
    source = str(ctx.selected.path) if ctx.selected is not None else ""
    view = cost_view(model, model_path=str(ctx.data.cost_model_path), result=ctx.result, source=source)
    report = view.report
    projection = projection_figure(report)
    projection = for_any_width(projection) if projection is not None else None
    tiers = [{"label": t.name, "value": t.id} for t in model.tiers]
    return [
        heading,
        section("Per tier", chart("costs-tiers", for_any_width(tier_stack_figure(report))), cost_table(summary_table(report)),
                subtitle=f"Monthly USD from {ctx.data.cost_model_path} (seed 10.1-10.3): infrastructure is fixed, "
                         "AI API calls are variable."),
        section("Unit costs", chart("costs-units", for_any_width(unit_costs_figure(report))), cost_table(unit_table(report))),
        section("What-ifs", chart("costs-whatifs", for_any_width(whatif_figure(report))),
                subtitle="The seed's levers (cache, pre-filter, a fine-tuned model, self-hosting) as scenarios."),
        section("Sensitivity", html.Div([html.Label("Tier", htmlFor="costs-tornado-tier"),
                                         dcc.Dropdown(id="costs-tornado-tier", options=tiers, value=model.tiers[-1].id,
                                                      clearable=False, className="inline-dropdown")],
                                        className="control-row"),
                chart("costs-tornado", tornado_for(model, model.tiers[-1].id))),
        section("Projection from the run",
                notice(view.projection_note, tone="info", id="costs-projection-note") if view.projection_note else None,
                chart("costs-projection", projection) if projection is not None else None,
                subtitle="API and worker instances each tier needs at peak, from the capacity this run measured."),
    ]


def tornado_for(model: CostModel, tier_id: str | None) -> go.Figure:
    """The chosen tier's total with each driver moved by the model's swing (pure)."""
    known = {t.id: t for t in model.tiers}
    if tier_id not in known:
        return empty_figure(f"No tier {tier_id!r} in the cost model.", title="Sensitivity")
    return for_any_width(tornado_figure(tornado(model, known[tier_id], swing_pct=model.sensitivity.swing_pct)))


def cost_table(view: Table) -> html.Table:
    """A `harness.costs.table.Table` as HTML, numbers right-aligned and formatted as the reports do."""
    head = html.Thead(html.Tr([html.Th(c.title, className=None if c.kind == "text" else "num") for c in view.columns]))
    body = html.Tbody([
        html.Tr([html.Td(format_cell(value, column.kind), className=None if column.kind == "text" else "num")
                 for value, column in zip(row, view.columns)])
        for row in view.rows
    ])
    return html.Table([head, body], className="data-table", id=f"costs-table-{view.key}")


def register(app: Dash, data: DashboardData) -> None:
    @app.callback(Output("costs-tornado", "figure"), Input("costs-tornado-tier", "value"), prevent_initial_call=True)
    def _choose_tier(tier_id: str | None) -> go.Figure:
        model, error = data.cost_model()
        if model is None:
            return empty_figure(f"The cost model cannot be read: {error}", title="Sensitivity")
        return tornado_for(model, tier_id)
