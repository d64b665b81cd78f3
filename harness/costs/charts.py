"""Plotly figures for the cost report. Each function takes the report and returns a Figure."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.costs.economics import round_usd
from harness.costs.report import CostReport
from harness.costs.whatif import TornadoBar

INFRA_COLOUR = "#3b6ea5"
AI_COLOUR = "#e39b32"
LOW_COLOUR = "#4f9d69"
HIGH_COLOUR = "#c8553d"
TIER_COLOURS = ("#6c8ebf", "#3b6ea5", "#274b73", "#13293d")
FONT = {"family": "Helvetica, Arial, sans-serif", "size": 13}


def _layout(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font=FONT,
        height=height,
        margin={"l": 60, "r": 30, "t": 80, "b": 60},
        legend={"orientation": "h", "y": -0.15, "x": 0},
        separators=".,",
    )
    return fig


def _f(value: Decimal) -> float:
    # Plotly needs floats; the rounding to cents is the same as the tables'.
    return float(round_usd(value))


def tier_stack_figure(report: CostReport) -> go.Figure:
    """Infrastructure vs AI per tier: dollars (left) and shares of the bill (right)."""
    names = [c.tier_name + (" (projected)" if c.projected else "") for c in report.tiers]
    infra = [_f(c.infrastructure_usd_month) for c in report.tiers]
    ai = [_f(c.ai_usd_month) for c in report.tiers]
    totals = [_f(c.total_usd_month) for c in report.tiers]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("USD per month", "Share of the monthly bill"))
    fig.add_bar(
        x=names,
        y=infra,
        name="Infrastructure (fixed)",
        marker_color=INFRA_COLOUR,
        row=1,
        col=1,
        hovertemplate="%{x}: $%{y:,.2f}<extra>Infrastructure</extra>",
    )
    fig.add_bar(
        x=names,
        y=ai,
        name="AI APIs (variable)",
        marker_color=AI_COLOUR,
        row=1,
        col=1,
        text=[f"${t:,.0f}" for t in totals],
        textposition="outside",
        hovertemplate="%{x}: $%{y:,.2f}<extra>AI APIs</extra>",
    )
    shares_infra = [i / t if t else 0 for i, t in zip(infra, totals)]
    fig.add_bar(
        x=names,
        y=shares_infra,
        marker_color=INFRA_COLOUR,
        showlegend=False,
        row=1,
        col=2,
        text=[f"{s:.0%}" for s in shares_infra],
        textposition="inside",
        hovertemplate="%{x}: %{y:.1%}<extra>Infrastructure</extra>",
    )
    fig.add_bar(
        x=names,
        y=[1 - s if t else 0 for s, t in zip(shares_infra, totals)],
        marker_color=AI_COLOUR,
        showlegend=False,
        row=1,
        col=2,
        text=[f"{1 - s:.0%}" for s in shares_infra],
        textposition="inside",
        hovertemplate="%{x}: %{y:.1%}<extra>AI APIs</extra>",
    )
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(tickprefix="$", tickformat=",.0f", row=1, col=1, range=[0, max(totals) * 1.15])
    fig.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=2)
    return _layout(fig, title="Monthly cost per tier: infrastructure vs AI APIs", height=460)


def tornado_figure(bars: tuple[TornadoBar, ...], *, top: int = 10) -> go.Figure:
    """Total monthly cost of one tier with each driver at -swing and +swing; widest at the top."""
    shown = list(bars[:top])[::-1]  # plotly draws the first category at the bottom
    base = _f(shown[0].base_total_usd_month) if shown else 0.0
    swing = format(shown[0].swing_pct.normalize(), "f") if shown else "0"
    drivers = [b.driver for b in shown]
    fig = go.Figure()
    fig.add_bar(
        y=drivers,
        x=[_f(b.low_total_usd_month) - base for b in shown],
        base=base,
        orientation="h",
        name=f"driver -{swing} %",
        marker_color=LOW_COLOUR,
        customdata=[_f(b.low_total_usd_month) for b in shown],
        hovertemplate="%{y}: total $%{customdata:,.2f}<extra></extra>",
    )
    fig.add_bar(
        y=drivers,
        x=[_f(b.high_total_usd_month) - base for b in shown],
        base=base,
        orientation="h",
        name=f"driver +{swing} %",
        marker_color=HIGH_COLOUR,
        customdata=[_f(b.high_total_usd_month) for b in shown],
        hovertemplate="%{y}: total $%{customdata:,.2f}<extra></extra>",
    )
    fig.add_vline(
        x=base,
        line_color="#333",
        line_dash="dot",
        annotation_text=f"plan ${base:,.2f}" if base < 1000 else f"plan ${base:,.0f}",
        annotation_position="top",
    )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(tickprefix="$", tickformat=",.0f", title_text="Total monthly cost (USD)")
    name = shown[0].tier_name if shown else ""
    return _layout(
        fig, title=f"Sensitivity, {name}: total cost with each driver -/+{swing} %", height=140 + 38 * len(shown)
    )


def unit_costs_figure(report: CostReport) -> go.Figure:
    """Cost per agent, per human and per 1,000 guardrail evaluations, per tier."""
    titles = ("Per agent (USD/mo)", "Per human (USD/mo)", "Guardrails per 1,000 evaluations (USD)")
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles)
    names = [u.tier_name for u in report.unit_economics]
    series = (
        [u.cost_per_agent_usd_month for u in report.unit_economics],
        [u.cost_per_human_usd_month for u in report.unit_economics],
        [u.guardrail_usd_per_1k_evaluations for u in report.unit_economics],
    )
    for col, values in enumerate(series, start=1):
        numbers = [float(round_usd(v, Decimal("0.0001"))) for v in values]
        fig.add_bar(
            x=names,
            y=numbers,
            marker_color=list(TIER_COLOURS[: len(names)]),
            showlegend=False,
            text=[f"${n:,.4f}" if n < 1 else f"${n:,.2f}" for n in numbers],
            textposition="outside",
            row=1,
            col=col,
        )
        fig.update_yaxes(tickprefix="$", range=[0, max(numbers or [1]) * 1.2], row=1, col=col)
    return _layout(fig, title="Unit costs: the bill per user falls as the platform grows", height=420)


def whatif_figure(report: CostReport) -> go.Figure:
    """Saving (share of the tier's bill) of each scenario, grouped by tier; scenarios read down."""
    fig = go.Figure()
    scenario_names = [s.name for s in report.model.scenarios][::-1]  # first scenario at the top
    for i, costs in enumerate(report.tiers):
        results = {r.scenario_name: r for r in report.scenarios if r.tier_id == costs.tier_id}
        shown = [name for name in scenario_names if name in results]
        fig.add_bar(
            y=shown,
            x=[float(results[n].saving_share) for n in shown],
            orientation="h",
            name=costs.tier_name,
            marker_color=TIER_COLOURS[i % len(TIER_COLOURS)],
            customdata=[_f(results[n].saving_usd_month) for n in shown],
            hovertemplate="%{y}<br>saves %{x:.1%} ($%{customdata:,.2f}/mo)<extra>" + costs.tier_name + "</extra>",
        )
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig.update_yaxes(categoryorder="array", categoryarray=scenario_names)
    fig.update_xaxes(
        tickformat=".0%",
        title_text="Saving, share of the tier's total (left of zero: costs more)",
        zeroline=True,
        zerolinecolor="#333",
    )
    fig = _layout(fig, title="What-ifs: saving of each lever, per tier", height=160 + 70 * len(scenario_names))
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


def projection_figure(report: CostReport) -> go.Figure | None:
    """API and worker instances: the plan vs what the measured capacity needs at peak."""
    if report.projection is None:
        return None
    tiers = report.projection.tiers
    names = [t.tier_name for t in tiers]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("API instances", "Worker instances"))
    for col, pick in ((1, lambda t: t.api), (2, lambda t: t.workers)):
        checks = [pick(t) for t in tiers]
        fig.add_bar(
            x=names,
            y=[c.planned_instances if c else None for c in checks],
            name="plan",
            marker_color="#9aa5b1",
            showlegend=col == 1,
            row=1,
            col=col,
            text=[c.planned_instances if c else "" for c in checks],
            textposition="outside",
        )
        fig.add_bar(
            x=names,
            y=[c.needed_instances if c else None for c in checks],
            name="needed at peak (measured; red: under-, amber: over-provisioned)",
            marker_color=[_status_colour(c.status) if c else "#ccc" for c in checks],
            text=[f"{c.needed_instances}" if c else "not measured" for c in checks],
            textposition="outside",
            showlegend=col == 1,
            row=1,
            col=col,
        )
        top = max([max(c.planned_instances, c.needed_instances) for c in checks if c] or [1])
        fig.update_yaxes(range=[0, top * 1.18], title_text="instances", row=1, col=col)
    fig.update_traces(cliponaxis=False, constraintext="none", textfont_size=12)
    fig.update_layout(barmode="group")
    return _layout(fig, title=f"Instances at peak from run {report.projection.measurements.source_label}", height=440)


def _plan_label(base_usd: float) -> str:
    return f"plan ${base_usd:,.2f}" if base_usd < 1000 else f"plan ${base_usd:,.0f}"


def _status_colour(status: str) -> str:
    return {"under-provisioned": HIGH_COLOUR, "over-provisioned": AI_COLOUR}.get(status, LOW_COLOUR)
