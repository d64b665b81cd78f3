"""Guardrail figures from a `GuardrailSummary` (the worker's Prometheus samples): evaluations per
second, queue length, evaluation p95 against its budget, share decided per tier, LLM cost."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards.figures.style import (
    PALETTE,
    TIER_COLOURS,
    budget_line,
    empty_figure,
    legend_above,
    themed,
)
from dashboards.guardrail import GuardrailSummary

RATE_TITLE = "Guardrail evaluations per second (verdicts committed by the worker)"
QUEUE_TITLE = "Guardrail queue length (jobs in the stream, XLEN)"
P95_TITLE = "Guardrail evaluation p95, enqueue to verdict (ms)"
TIERS_TITLE = "Evaluations decided per tier (share of all verdicts, %)"
COST_TITLE = "LLM cost of guardrail evaluations since the run started (USD)"
SECONDS_AXIS = "seconds into the run"
WORKER_COLOURS = ("#4e79a7", *PALETTE)
COST_TICK_STANDOFF_PX = 8


def _worker_colour(index: int) -> str:
    return WORKER_COLOURS[index % len(WORKER_COLOURS)]


def evaluations_rate_figure(summary: GuardrailSummary) -> go.Figure:
    if not summary.workers:
        return empty_figure("No guardrail worker was sampled.", title=RATE_TITLE)
    fig = go.Figure()
    for index, worker in enumerate(summary.workers):
        fig.add_scatter(x=list(worker.evaluations_per_s.t_s), y=list(worker.evaluations_per_s.values),
                        name=summary.source_name(worker.url), mode="lines+markers",
                        line={"color": _worker_colour(index), "width": 2},
                        hovertemplate="%{y:.2f} evaluations/s at %{x:.0f} s<extra>%{fullData.name}</extra>")
    fig.update_yaxes(title_text="evaluations/s", rangemode="tozero")
    fig.update_xaxes(title_text=SECONDS_AXIS)
    fig = themed(fig, title=RATE_TITLE, height=340)
    return legend_above(fig) if len(summary.workers) > 1 else fig  # one worker: no legend, no band for it


def queue_length_figure(summary: GuardrailSummary) -> go.Figure:
    if not summary.queue_length:
        return empty_figure("No sampled URL exports guardrail_queue_length.", title=QUEUE_TITLE)
    fig = go.Figure(go.Scatter(
        x=list(summary.queue_length.t_s), y=list(summary.queue_length.values), name=f"{summary.source_name(summary.queue_source)}, server metrics",
        mode="lines+markers", line={"color": "#f28e2b", "width": 2, "shape": "hv"},
        hovertemplate="%{y:.0f} jobs at %{x:.0f} s<extra></extra>",
    ))
    fig.update_yaxes(title_text="jobs", rangemode="tozero")
    fig.update_xaxes(title_text=SECONDS_AXIS)
    fig = legend_above(themed(fig, title=QUEUE_TITLE, height=340))
    fig.update_layout(showlegend=True)  # one line, but its name says where the numbers come from
    return fig


def evaluation_p95_figure(summary: GuardrailSummary, *, budget_ms: float, budget_label: str) -> go.Figure:
    """p95 of the evaluations finished between consecutive scrapes, per worker, against the budget;
    in ms, as every latency on the dashboard (the worker's histogram counts seconds)."""
    if not any(worker.evaluation_p95_s for worker in summary.workers):
        return empty_figure("No evaluation histogram (guardrail_evaluation_duration_seconds) was sampled.",
                            title=P95_TITLE)
    fig = go.Figure()
    for index, worker in enumerate(summary.workers):
        fig.add_scatter(x=list(worker.evaluation_p95_s.t_s),
                        y=[None if v is None else v * 1000.0 for v in worker.evaluation_p95_s.values],
                        name=f"p95, {summary.source_name(worker.url)}", mode="lines+markers",
                        line={"color": _worker_colour(index), "width": 2},
                        hovertemplate="p95 %{y:,.0f} ms at %{x:.0f} s<extra></extra>")
    budget_line(fig, y=budget_ms, label=budget_label)
    fig.update_yaxes(title_text="ms", rangemode="tozero")
    fig.update_xaxes(title_text=f"{SECONDS_AXIS}<br>(p95 since the previous scrape)", automargin=True)
    return themed(fig, title=P95_TITLE, height=340)


def tier_share_figure(summary: GuardrailSummary) -> go.Figure:
    """Which tier decided the verdicts: the pre-filter and the cache save an LLM call each."""
    shares = summary.tier_shares
    if not shares:
        return empty_figure("No evaluations were counted in this run.", title=TIERS_TITLE)
    tiers = list(shares)
    fig = go.Figure(go.Bar(
        x=tiers,
        y=[100.0 * shares[t] for t in tiers],
        customdata=[summary.by_tier[t] for t in tiers],
        marker_color=[TIER_COLOURS.get(t, "#bab0ac") for t in tiers],
        text=[f"{100.0 * shares[t]:.1f} %" for t in tiers],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{y:.1f} % (%{customdata:.0f} evaluations)<extra></extra>",
        name="share",
    ))
    fig.update_yaxes(title_text="% of evaluations", range=[0, 110])
    fig.update_xaxes(title_text="tier that decided the verdict")
    return themed(fig, title=TIERS_TITLE, height=340)


def llm_cost_figure(summary: GuardrailSummary) -> go.Figure:
    lines = [w for w in summary.workers if w.llm_cost_usd]
    if not lines:
        return empty_figure("No sampled worker exports guardrail_llm_cost_usd_total.", title=COST_TITLE)
    fig = go.Figure()
    for index, worker in enumerate(lines):
        fig.add_scatter(x=list(worker.llm_cost_usd.t_s), y=list(worker.llm_cost_usd.values),
                        name=summary.source_name(worker.url), mode="lines", fill="tozeroy",
                        line={"color": "#e39b32" if index == 0 else _worker_colour(index), "width": 2},
                        hovertemplate="$%{y:.4f} by %{x:.0f} s<extra></extra>")
    # Both axes start at 0: the standoff keeps the y tick "$0" clear of the x tick "0" at the corner.
    fig.update_yaxes(title_text="USD", tickprefix="$", rangemode="tozero", ticklabelstandoff=COST_TICK_STANDOFF_PX)
    fig.update_xaxes(title_text=SECONDS_AXIS)
    return themed(fig, title=COST_TITLE, height=340)

