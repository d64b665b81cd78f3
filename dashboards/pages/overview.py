"""Overview: the shown run (the newest unless one is chosen): its thresholds pass or fail, and
how it compares with the current baseline, metric by metric, with the engine's verdicts."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.budgets import latency_budgets
from dashboards.comparison import ComparisonOutcome, compare_metrics
from dashboards.components import (
    card,
    cards,
    chart,
    fmt_ms,
    fmt_pct,
    notice,
    section,
    table,
)
from dashboards.context import PageContext
from dashboards.figures.latency import p95_by_scenario
from dashboards.measurement import DEGRADED, measurement_of
from dashboards.pages.common import run_heading, verdict_section
from dashboards.redis_memory import policy_warning, redis_summary
from harness.results import ResultFileError, RunResult
from harness.results.model import RUNNING_REASON, ThresholdResult

PATH = "/"
NAME = "Overview"


def render(ctx: PageContext) -> list[Any]:
    result = ctx.result
    if result is None:
        return []
    return [
        run_heading(result, following=ctx.following, page_title="Overview"),
        *_run_notices(result),
        _summary_cards(result),
        section("Thresholds", _thresholds_table(result), subtitle="The plan's k6 thresholds, as the run evaluated them."),
        section("Latency per scenario",
                chart("overview-p95", p95_by_scenario(result, budgets=latency_budgets(result.thresholds),
                                                      colours=ctx.colours))),
        section("Against the current baseline", *_baseline_comparison(ctx),
                subtitle="The comparison engine's verdicts (as bwperf compare and the weekly CI job): regressed = "
                         "worse by more than 20 % and its floor, outside the noise band.", id="baseline-comparison"),
    ]


def _summary_cards(result: RunResult) -> html.Div:
    failed = [t for t in result.thresholds if not t.ok]
    duration = result.metrics.get("http_req_duration")
    requests = result.metrics.get("http_reqs")
    failed_rate = result.metrics.get("http_req_failed")
    dropped = sum(s.dropped_iterations for s in result.scenarios.values())
    measurement = measurement_of(result)
    return cards(
        card("Thresholds", "PASS" if result.thresholds_ok else "FAIL", tone="ok" if result.thresholds_ok else "error",
             detail=f"{len(result.thresholds) - len(failed)} of {len(result.thresholds)} passed"),
        card("Requests", f"{requests.count:,}" if requests and requests.count is not None else "n/a",
             detail=f"{requests.rate:,.1f} req/s" if requests and requests.rate is not None else None),
        card("p95, all requests", fmt_ms(duration.trend.p95 if duration and duration.trend else None),
             detail=f"p99 {fmt_ms(duration.trend.p99)}" if duration and duration.trend else None),
        card("HTTP errors", fmt_pct(failed_rate.rate if failed_rate else None, digits=2),
             tone="error" if failed_rate and (failed_rate.rate or 0) >= 0.01 else "neutral"),
        card("Dropped iterations", f"{dropped:,}", tone="warning" if dropped else "neutral"),
        card("Load generator", "saturated" if result.generator.saturated else "healthy",
             tone="warning" if result.generator.saturated else "ok",
             detail=f"lag p99 {fmt_ms(result.generator.lag_p99_ms)}"),
        card("Measurement", measurement.state, tone=measurement.tone, detail=measurement.detail),
    )


def _run_notices(result: RunResult) -> list[Any]:
    found: list[Any] = []
    if result.interrupted_reason == RUNNING_REASON:
        found.append(notice(f"This run is still going ({result.meta.duration_s:.0f} s so far); "
                            "the page follows it.", tone="ok"))
    elif not result.complete:
        found.append(notice(f"This run did not complete: {result.interrupted_reason or 'no reason given'}.",
                            tone="warning"))
    if result.generator.saturated:
        found.append(notice("The load generator was saturated: " + "; ".join(result.generator.reasons), tone="warning"))
    measurement = measurement_of(result)
    if measurement.state == DEGRADED:
        found.append(notice([
            "The measurement is degraded: the machine was not quiet while this run measured, so a comparison treats "
            "the metrics measured in degraded windows as inconclusive, never as regressed.",
            html.Ul([html.Li(reason) for reason in measurement.reasons])], tone="warning", id="measurement-notice"))
    redis = redis_summary(result.samples)
    if redis is not None and redis.evicting_policy and redis.policy:
        found.append(notice(policy_warning(redis.policy), tone="warning"))
    for warning in [*result.warnings, *result.samples.notes]:
        found.append(notice(warning, tone="info"))
    return found


def _thresholds_table(result: RunResult) -> Any:
    if not result.thresholds:
        return notice("The plan has no thresholds.", tone="info")
    return table(
        ["metric", "threshold", "observed", "result"],
        [[t.metric, t.expression, _observed(result, t), "pass" if t.ok else "FAIL"] for t in result.thresholds],
        row_classes=["row-pass" if t.ok else "row-fail" for t in result.thresholds],
        id="thresholds-table",
        numeric=(2,),
    )


def _observed(result: RunResult, threshold: ThresholdResult) -> str:
    if threshold.observed is None:
        return "no samples"
    metric = result.metrics.get(threshold.metric.split("{")[0])
    if metric is not None and metric.type == "rate":
        return f"{100.0 * threshold.observed:.3g} %"
    if metric is not None and metric.contains == "time":
        return f"{threshold.observed:,.1f} ms"
    return f"{threshold.observed:,.4g}"


def _baseline_comparison(ctx: PageContext) -> list[Any]:
    baseline = ctx.data.baselines.current()
    if baseline.error:
        return [notice(f"The current baseline cannot be read: {baseline.error}", tone="error")]
    if baseline.result is None or baseline.stamp is None:
        shown = ctx.selected.path if ctx.selected is not None else "reports/<run-id>/result.json"
        return [notice(["No current baseline in ", html.Code(str(baseline.path)), ". Make this run the baseline with ",
                        html.Code(f"bwperf baseline promote {shown}"), "."], tone="info")]
    if ctx.selected is None or ctx.result is None:
        return []
    if baseline.result.meta.run_id == ctx.result.meta.run_id:
        return [notice(f"This run ({ctx.result.meta.run_id}) is the current baseline.", tone="info")]
    try:
        current = ctx.data.run_metrics(ctx.selected)
        reference = ctx.data.metrics_of(baseline.path, baseline.result, stamp=baseline.stamp)
    except ResultFileError as error:
        return [notice(str(error), tone="error")]
    outcome: ComparisonOutcome = compare_metrics(reference, current)
    intro = html.P([f"Baseline {baseline.result.meta.run_id} ({baseline.result.meta.started_at:%Y-%m-%d}, ",
                    html.Code(str(baseline.path)), f") against {ctx.result.meta.run_id}."])
    return [intro, *verdict_section(outcome, table_id="baseline-verdicts")]
