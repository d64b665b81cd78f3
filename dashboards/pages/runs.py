"""Runs: every run found (newest first, unreadable ones with their error), and any two of them
through the comparison engine, with its verdict table."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, dcc, html

from dashboards.comparison import compare_metrics
from dashboards.components import fmt_ms, fmt_pct, notice, section, table
from dashboards.context import DashboardData, PageContext
from dashboards.data import RunCatalog
from dashboards.links import run_page_href
from dashboards.measurement import measurement_of
from dashboards.pages.common import run_label, verdict_section
from harness.compare import RunMetrics
from harness.results import ResultFileError, RunResult, run_verdict

PATH = "/runs"
NAME = "Runs"
CURRENT_BASELINE = "baseline:current"  # the compare selector's value for baselines/current.json
ALLOW_MISMATCH = "allow"


def render(ctx: PageContext) -> list[Any]:
    catalog = ctx.catalog
    current = ctx.selected or catalog.latest
    baseline = catalog.previous(current) if current is not None else None
    options = [{"label": run_label(e), "value": e.key} for e in reversed(catalog.runs)]
    baseline_options = list(options)
    if ctx.data.baselines.current().result is not None:
        baseline_options.insert(0, {"label": f"current baseline ({ctx.data.baselines.current_path})",
                                    "value": CURRENT_BASELINE})
    return [
        html.Div(html.H1("Runs"), className="page-heading"),
        section("History", _runs_table(ctx),
                subtitle=f"Every result file under {catalog.results_dir}/, newest first."),
        section("Compare two runs", html.Div([
            html.Div([html.Label("Baseline", htmlFor="runs-compare-baseline"),
                      dcc.Dropdown(id="runs-compare-baseline", options=baseline_options,
                                   value=baseline.key if baseline else None, clearable=False)],
                     className="control"),
            html.Div([html.Label("Current", htmlFor="runs-compare-current"),
                      dcc.Dropdown(id="runs-compare-current", options=options,
                                   value=current.key if current else None, clearable=False)],
                     className="control"),
            dcc.Checklist(id="runs-allow-mismatch", options=[{"label": " compare even if the plans differ",
                                                              "value": ALLOW_MISMATCH}], value=[],
                          className="control-check"),
        ], className="control-row"), html.Div(id="runs-compare-result"),
            subtitle="Verdicts by the comparison engine, as bwperf compare --baseline A --current B gives them."),
    ]


def compare_view(data: DashboardData, catalog: RunCatalog, baseline_key: str | None, current_key: str | None,
                 *, allow_plan_mismatch: bool) -> list[Any]:
    """The verdict table of two runs chosen by key (or the current baseline), or why there is none."""
    current = catalog.get(current_key)
    if current is None:
        return [notice("Choose two runs to compare.", tone="info")]
    try:
        reference = _baseline_metrics(data, catalog, baseline_key)
        if reference is None:
            return [notice("Choose two runs to compare.", tone="info")]
        outcome = compare_metrics(reference, data.run_metrics(current), allow_plan_mismatch=allow_plan_mismatch)
    except ResultFileError as error:
        return [notice(str(error), tone="error")]
    return verdict_section(outcome, table_id="runs-verdicts")


def register(app: Dash, data: DashboardData) -> None:
    @app.callback(
        Output("runs-compare-result", "children"),
        Input("runs-compare-baseline", "value"),
        Input("runs-compare-current", "value"),
        Input("runs-allow-mismatch", "value"),
    )
    def _compare(baseline_key: str | None, current_key: str | None, allow: list[str] | None) -> list[Any]:
        return compare_view(data, data.runs.catalog(), baseline_key, current_key,
                            allow_plan_mismatch=ALLOW_MISMATCH in (allow or []))


def _baseline_metrics(data: DashboardData, catalog: RunCatalog, key: str | None) -> RunMetrics | None:
    if key == CURRENT_BASELINE:
        stored = data.baselines.current()
        if stored.error:
            raise ResultFileError(str(stored.path), stored.error.removeprefix(f"{stored.path}: "))
        if stored.result is None or stored.stamp is None:
            return None
        return data.metrics_of(stored.path, stored.result, stamp=stored.stamp)
    entry = catalog.get(key)
    return data.run_metrics(entry) if entry is not None else None


def _runs_table(ctx: PageContext) -> Any:
    baseline = ctx.data.baselines.current().result
    baseline_id = baseline.meta.run_id if baseline is not None else None
    rows, classes = [], []
    for entry in reversed(ctx.catalog.runs):
        if entry.result is not None:
            rows.append(_row(entry.result, is_baseline=entry.run_id == baseline_id, shown=entry == ctx.selected))
            classes.append("run-shown" if entry == ctx.selected else "")
    for entry in ctx.catalog.broken:
        rows.append(["unreadable", entry.key, html.Span(entry.error, className="broken-file"), "", "", "", "", "", "", ""])
        classes.append("run-broken")
    if not rows:
        return notice("No runs yet.", tone="info")
    return table(["started (UTC)", "run", "plan · profile", "duration", "requests", "p95", "HTTP errors", "verdict",
                  "measurement", "state"], rows, row_classes=classes, id="runs-table", numeric=(3, 4, 5, 6))


def _row(result: RunResult, *, is_baseline: bool, shown: bool) -> list[Any]:
    meta = result.meta
    duration = result.metrics.get("http_req_duration")
    requests = result.metrics.get("http_reqs")
    failed = result.metrics.get("http_req_failed")
    marks = [m for m, on in (("current baseline", is_baseline), ("shown", shown)) if on]
    state = "complete" if result.complete else f"incomplete: {result.interrupted_reason or 'interrupted'}"
    measurement = measurement_of(result)
    verdict = run_verdict(result)
    return [
        f"{meta.started_at:%Y-%m-%d %H:%M}",
        html.Span([dcc.Link(meta.run_id, href=run_page_href(meta.run_id), className="run-link"),
                   *([html.Span(" · ".join(marks), className="badge")] if marks else [])]),
        f"{meta.plan_path} · {meta.profile}",
        f"{meta.duration_s:,.0f} s",
        f"{requests.count:,}" if requests is not None and requests.count is not None else "n/a",
        fmt_ms(duration.trend.p95 if duration is not None and duration.trend is not None else None),
        fmt_pct(failed.rate if failed is not None else None, digits=2),
        html.Span([html.Span(verdict.state, className={"PASS": "threshold-pass", "FAIL": "threshold-fail"}.get(verdict.state, "threshold-other")),
                   *([html.Span(f" · {verdict.failures}", className="verdict-why")] if verdict.failures else [])],
                  title=verdict.text),
        html.Span(measurement.state, className=measurement.css_class, title=measurement.line),
        state,
    ]
