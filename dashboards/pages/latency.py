"""Latency: the run's p50/p95/p99 over all requests (the values the result stores, as the report and
compare read them), p50/p95/p99 per scenario over the shown run against the plan's budgets, and
p95 across runs (same plan file) with the change points the history analysis finds."""

from __future__ import annotations

from typing import Any

from collections.abc import Mapping

from dash import Dash, Input, Output, html
from dash.exceptions import PreventUpdate

from dashboards.budgets import Budget, budgets_for, latency_budgets
from dashboards.comparison import BaselineBand, baseline_band, compare_metrics
from dashboards.components import card, cards, chart, fmt_ms, notice, section, table
from dashboards.context import DashboardData, PageContext
from dashboards.figures.latency import latency_over_run
from dashboards.figures.trend import p95_history
from dashboards.history import change_points, request_p95_series, same_plan
from dashboards.links import run_href
from dashboards.pages.common import run_heading
from harness.baselines import ChangePoint, Series
from harness.results import ResultFileError, RunResult

PATH = "/latency"
NAME = "Latency"
HISTORY_GRAPH = "latency-history"


def render(ctx: PageContext) -> list[Any]:
    result = ctx.result
    if result is None:
        return []
    budgets = latency_budgets(result.thresholds)
    history, problems = ctx.data.history(ctx.catalog)
    plan_history = same_plan(history, result.meta.plan_sha256)
    series = request_p95_series(plan_history)
    changes = change_points(series)
    run_wide = [b.limit_ms for b in budgets_for(budgets, 95.0) if b.scenario is None]
    history_figure = p95_history(series, changes, colours=ctx.colours, budget_ms=min(run_wide) if run_wide else None,
                                 selected=(result.meta.run_id, result.meta.started_at), band=_band(ctx))
    runs = len(plan_history.rows)
    return [
        run_heading(result, following=ctx.following, page_title="Latency"),
        _cards(result, budgets),
        section("Over the run", chart("latency-over-run", latency_over_run(result, budgets=budgets, colours=ctx.colours)),
                subtitle="Each window's percentiles from the run's HDR histograms; dashed red: the plan's thresholds."),
        section("Across runs", chart(HISTORY_GRAPH, history_figure), *_change_table(series, changes),
                *[notice(p, tone="warning") for p in problems],
                subtitle=f"{runs} {'run' if runs == 1 else 'runs'} of {result.meta.plan_path} (the same plan file) "
                         f"from {ctx.data.baselines.history_path} and {ctx.catalog.results_dir}/. The grey band: the "
                         "current baseline ± what the comparison engine lets pass (20 %, its floor or the noise). "
                         "A change point is a step of at least 5 % with at least 3 runs on each side (Welch, "
                         "scan-corrected p ≤ 0.001). Click a point to open that run.", id="trend-panel"),
    ]


def register(app: Dash, _data: DashboardData) -> None:
    """A click on a trend point opens that run's Latency page (the address a lead can paste)."""
    @app.callback(Output("url", "href", allow_duplicate=True), Input(HISTORY_GRAPH, "clickData"),
                  prevent_initial_call=True)
    def _open_clicked_run(click_data: Mapping[str, Any] | None) -> str:
        href = clicked_run_href(click_data)
        if href is None:
            raise PreventUpdate
        return href


def clicked_run_href(click_data: Mapping[str, Any] | None) -> str | None:
    """The Latency page of the run behind a clicked point (its `customdata` is the run id); None for
    a click on anything else (the band, an empty spot)."""
    points = (click_data or {}).get("points") or []
    run_id = points[0].get("customdata") if points else None
    return run_href(PATH, run_id) if isinstance(run_id, str) and run_id else None


def _band(ctx: PageContext) -> BaselineBand | None:
    """The current baseline's band when it is a run of the shown plan (another plan's is no reference)."""
    baseline = ctx.data.baselines.current()
    result = ctx.result
    if baseline.result is None or baseline.stamp is None or result is None or ctx.selected is None:
        return None
    if baseline.result.meta.plan_sha256 != result.meta.plan_sha256:
        return None
    try:
        reference = ctx.data.metrics_of(baseline.path, baseline.result, stamp=baseline.stamp)
        current = ctx.data.run_metrics(ctx.selected)
    except ResultFileError:
        return None  # the Overview says why the baseline cannot be read
    return baseline_band(reference, comparison=compare_metrics(reference, current).comparison)


def _cards(result: RunResult, budgets: list[Budget]) -> html.Div:
    """All requests' p50, p95 and p99 over the whole run, each against its run-wide budget."""
    duration = result.metrics.get("http_req_duration")
    trend = duration.trend if duration is not None else None
    parts = []
    for label, percentile, key in (("p50", 50.0, "med"), ("p95", 95.0, "p95"), ("p99", 99.0, "p99")):
        value = getattr(trend, key) if trend is not None else None
        limits = [b.limit_ms for b in budgets_for(budgets, percentile) if b.scenario is None]
        limit = min(limits) if limits else None
        tone = "neutral" if value is None or limit is None else ("error" if value > limit else "ok")
        parts.append(card(f"{label}, all requests", fmt_ms(value), tone=tone,
                          detail=f"budget {limit:g} ms" if limit is not None else "no budget"))
    return cards(*parts, id="latency-cards")


def _change_table(series: list[Series], changes: dict[str, list[ChangePoint]]) -> list[Any]:
    rows, classes = [], []
    for s in series:
        for change in changes.get(s.key, ()):
            point = s.points[change.index]
            rows.append([s.key, point.run_id, f"{point.moment:%Y-%m-%d}", f"{change.before:,.1f} ms",
                         f"{change.after:,.1f} ms", f"{change.change_pct:+.1f} %", change.verdict])
            classes.append(f"change-{change.verdict}")
    if not rows:
        return [html.P("No change point in the history of this plan.", className="muted", id="no-change-points")]
    return [table(["metric", "first run at the new level", "date", "before", "after", "change", "verdict"], rows,
                  row_classes=classes, id="change-points-table", numeric=(3, 4, 5))]
