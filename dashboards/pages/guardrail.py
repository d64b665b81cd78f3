"""Guardrail: evaluations/s, queue length, evaluation p95 against its budget, the share each tier
decides and the LLM cost, derived from the worker's Prometheus samples in the shown run."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.budgets import GUARDRAIL_LATENCY, budgets_for, latency_budgets
from dashboards.components import card, cards, chart, fmt_ms, fmt_pct, notice, section
from dashboards.context import PageContext
from dashboards.figures.guardrail import (
    evaluation_p95_figure,
    evaluations_rate_figure,
    llm_cost_figure,
    queue_length_figure,
    tier_share_figure,
)
from dashboards.guardrail import GuardrailSummary, guardrail_summary
from dashboards.pages.common import run_heading
from harness.results import RunResult

PATH = "/guardrail"
NAME = "Guardrail"
SEED_BUDGET_MS = 2000.0  # seed 8.3: guardrail evaluation p95 < 2 s
WORKER_METRICS_HINT = "bwperf run PLAN --metrics-url http://<worker>:9101/metrics"


def render(ctx: PageContext) -> list[Any]:
    result = ctx.result
    if result is None:
        return []
    heading = run_heading(result, following=ctx.following, page_title="Guardrail")
    summary = guardrail_summary(result.samples)
    if summary is None:
        return [heading, notice([
            ("This run holds no guardrail samples: no sampled /metrics URL exports guardrail_evaluations_total or "
             "guardrail_queue_length. The embedded stack samples its worker by itself; against another target pass "),
            html.Code(WORKER_METRICS_HINT), "."], tone="info", id="no-guardrail-samples")]
    budget_ms, budget_label = _budget(result)
    return [
        heading,
        _cards(result, summary, budget_ms=budget_ms),
        html.Div([
            section("Throughput", chart("guardrail-rate", evaluations_rate_figure(summary))),
            section("Queue", chart("guardrail-queue", queue_length_figure(summary))),
            section("Evaluation latency", chart("guardrail-p95", evaluation_p95_figure(
                summary, budget_ms=budget_ms, budget_label=budget_label))),
            section("Tiers", chart("guardrail-tiers", tier_share_figure(summary)),
                    subtitle="The pre-filter and the verdict cache answer without an LLM call."),
        ], className="grid-2"),
        section("LLM cost", chart("guardrail-cost", llm_cost_figure(summary))),
    ]


def _budget(result: RunResult) -> tuple[float, str]:
    """The plan's `guardrail_latency: p(95)<X` when it has one, else the seed's 2 s."""
    planned = [b for b in budgets_for(latency_budgets(result.thresholds, metric=GUARDRAIL_LATENCY), 95.0)
               if b.scenario is None]
    if planned:
        limit = min(b.limit_ms for b in planned)
        return limit, f"budget p(95)<{limit:,g} ms (plan)"
    return SEED_BUDGET_MS, f"budget p(95)<{SEED_BUDGET_MS:,g} ms (seed 8.3)"


def _cards(result: RunResult, summary: GuardrailSummary, *, budget_ms: float) -> html.Div:
    p95_s = summary.evaluation_p95_s
    client = result.metrics.get(GUARDRAIL_LATENCY)
    client_p95 = client.trend.p95 if client is not None and client.trend is not None else None
    per_1k = summary.cost_per_1k_evaluations_usd
    return cards(
        card("Evaluations", f"{summary.evaluations:,.0f}",
             # the worker's own pace while it was scraped (it keeps working through a drain), not a load rate
             detail=(f"{summary.evaluations_per_s:.2f}/s over {summary.sampled_s:,.0f} s of worker scrapes"
                     if summary.evaluations_per_s is not None else None)),
        card("Evaluation p95 (worker)", fmt_ms(None if p95_s is None else p95_s * 1000.0),
             tone="neutral" if p95_s is None else ("error" if p95_s * 1000.0 > budget_ms else "ok"),
             detail=f"budget {budget_ms:,g} ms"),
        card("guardrail_latency p95 (k6)", fmt_ms(client_p95), detail="measured by the scenario"),
        card("Cache hit ratio", fmt_pct(summary.cache_hit_ratio), detail=f"{summary.cache_lookups:,.0f} lookups"),
        card("LLM cost", f"${summary.llm_cost_usd:,.4f}", detail=f"{summary.llm_calls:,.0f} calls"),
        card("Cost per 1,000 evaluations", "n/a" if per_1k is None else f"${per_1k:,.3f}"),
        id="guardrail-cards",
    )
