"""Overview: the shown run (the newest unless one is chosen): its verdict (thresholds and stress
goals, in `run_verdict`'s words, each failure named), its thresholds and goals, and how it
compares with the current baseline, metric by metric, with the engine's verdicts."""

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
from dashboards.insights_panel import insights_panel
from dashboards.measurement import DEGRADED, measurement_of
from dashboards.pages.common import run_heading, verdict_section
from dashboards.rates import requests_detail
from dashboards.redis_memory import policy_warning, redis_summary
from harness.results import (
    RUNNING_REASON,
    GoalsVerdict,
    ResultFileError,
    RunResult,
    ThresholdResult,
    Verdict,
    run_verdict,
    schedule_gaps,
)
from harness.thresholds import parse_key

PATH = "/"
NAME = "Overview"
VERDICT_TONES = {"PASS": "ok", "FAIL": "error"}  # INCOMPLETE, RUNNING: warning
GOAL_MARKS = {"pass": "pass", "fail": "FAIL", "warn": "warn"}
GOAL_ROWS = {"pass": "row-pass", "fail": "row-fail", "warn": "row-warn"}


def render(ctx: PageContext) -> list[Any]:
    result = ctx.result
    if result is None:
        return []
    verdict = run_verdict(result)
    return [
        run_heading(result, following=ctx.following, page_title="Overview"),
        *_verdict_notice(verdict),
        *_run_notices(result),
        _summary_cards(result, verdict),
        *([panel] if (panel := insights_panel(result)) is not None else []),
        section("Thresholds", _thresholds_table(result), subtitle="The plan's k6 thresholds, as the run evaluated them."),
        *_goals_section(result.goals),
        section("Latency per scenario",
                chart("overview-p95", p95_by_scenario(result, budgets=latency_budgets(result.thresholds),
                                                      colours=ctx.colours))),
        section("Against the current baseline", *_baseline_comparison(ctx),
                subtitle="The comparison engine's verdicts (as bwperf compare and the weekly CI job): regressed = "
                         "worse by more than 20 % and its floor, outside the noise band.", id="baseline-comparison"),
    ]


def _verdict_notice(verdict: Verdict) -> list[Any]:
    """A failed run says so first, naming what failed."""
    if verdict.ok:
        return []
    return [notice(verdict.text, tone="error", id="verdict-notice")]


def _summary_cards(result: RunResult, verdict: Verdict) -> html.Div:
    duration = result.metrics.get("http_req_duration")
    requests = result.metrics.get("http_reqs")
    failed_rate = result.metrics.get("http_req_failed")
    dropped = sum(s.dropped_iterations for s in result.scenarios.values())
    measurement = measurement_of(result)
    return cards(
        card("Verdict", verdict.state, tone=VERDICT_TONES.get(verdict.state, "warning"), detail=verdict.detail),
        card("Requests", f"{requests.count:,}" if requests and requests.count is not None else "n/a",
             detail=requests_detail(result)),
        card("p95, all requests", fmt_ms(duration.trend.p95 if duration and duration.trend else None),
             detail=f"p99 {fmt_ms(duration.trend.p99)}" if duration and duration.trend else None),
        card("HTTP errors", fmt_pct(failed_rate.rate if failed_rate else None, digits=2),
             tone="error" if failed_rate and (failed_rate.rate or 0) >= 0.01 else "neutral"),
        card("Dropped iterations", f"{dropped:,}", tone="warning" if dropped else "neutral"),
        card("Load generator", "saturated" if result.generator.saturated else "healthy",
             tone="warning" if result.generator.saturated else "ok",
             detail=f"lag p99 {fmt_ms(result.generator.lag_p99_ms)}"),
        card("Measurement", measurement.state, tone=measurement.tone, detail=measurement.detail),
        id="summary-cards",
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
    for gap in schedule_gaps(result):  # users arriving on the schedule waited far longer than the service took
        found.append(notice(f"Schedule-true latency: {gap.text}.", tone="warning", id=f"schedule-gap-{gap.scenario}"))
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


def _goals_section(goals: GoalsVerdict | None) -> list[Any]:
    """The stress goals and their verdicts (a plan without goals has no section)."""
    if goals is None:
        return []
    rows = table(["goal", "observed", "limit", "detail", "result"],
                 [[o.name, o.observed, o.limit, o.detail, GOAL_MARKS[o.status]] for o in goals.outcomes],
                 row_classes=[GOAL_ROWS[o.status] for o in goals.outcomes], id="goals-table")
    parts: list[Any] = [rows]
    if goals.unaccounted:
        more = goals.unaccounted_total - len(goals.unaccounted)
        parts.append(html.Ul([html.Li(f"{i.kind} {i.id}: {i.reason}") for i in goals.unaccounted]
                             + ([html.Li(f"... and {more} more (reconciliation.json)")] if more > 0 else []),
                             className="notes"))
    parts += [notice(note, tone="warning") for note in goals.notes]
    return [section("Stress goals", *parts, id="goals",
                    subtitle="What thresholds cannot say (drain, memory, reconciliation, broker policy), judged "
                             "after the run; a failed goal fails the run.")]


def _observed(result: RunResult, threshold: ThresholdResult) -> str:
    if threshold.observed is None:
        return "no samples"
    metric = result.metrics.get(parse_key(threshold.metric)[0])
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
