"""Figures of the load itself: latency bands, throughput against the target, errors by class.

Pure: each builder takes the run result (and the target curves) and returns a `Chart`.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.report.series import (
    ScenarioSeries,
    failure_classes,
    failures_over_time,
    scenario_series,
)
from harness.report.style import (
    FAILURE_COLOURS,
    GREY,
    ROW_HEIGHT_PX,
    THRESHOLD_COLOUR,
    Chart,
    empty_note,
    finish,
    legend_below,
    line_mode,
    scenario_colour,
    with_alpha,
)
from harness.report.targets import Curve
from harness.results.model import RunResult
from harness.thresholds import latency_limits

LATENCY_THRESHOLD_METRIC = "http_req_duration"
THRESHOLD_VISIBLE_FACTOR = 1.5  # draw a latency threshold when it is within 1.5x the highest p99


def _duration_limits(result: RunResult, scenario: str) -> list[tuple[str, float]]:
    """(label, ms) of the percentile thresholds on all requests or on this scenario's requests."""
    limits = latency_limits(((t.metric, t.expression) for t in result.thresholds), metric=LATENCY_THRESHOLD_METRIC)
    return [(limit.expression, limit.limit_ms) for limit in limits if limit.applies_to(scenario)]


def _band(series: list[float | None], *, t_s: list[float], name: str, colour: str, alpha: float,
          first: bool) -> go.Scatter:
    """A percentile line filled down to the trace before it (the next lower percentile)."""
    return go.Scatter(x=t_s, y=series, name=name, legendgroup=name, showlegend=first, mode=line_mode(series),
                      connectgaps=False, fill="tonexty", fillcolor=with_alpha(colour, alpha),
                      line={"color": with_alpha(colour, alpha + 0.25), "width": 1})


def _latency_traces(fig: go.Figure, series: ScenarioSeries, *, row: int, colour: str, first: bool) -> None:
    t = series.t_s
    fig.add_trace(go.Scatter(x=t, y=series.p50_ms, name="p50", legendgroup="p50", showlegend=first,
                             mode=line_mode(series.p50_ms),
                             connectgaps=False, line={"color": colour, "width": 2}), row=row, col=1)
    fig.add_trace(_band(series.p95_ms, t_s=t, name="p50-p95", colour=colour, alpha=0.35, first=first), row=row, col=1)
    fig.add_trace(_band(series.p99_ms, t_s=t, name="p95-p99", colour=colour, alpha=0.15, first=first), row=row, col=1)


def latency_chart(result: RunResult) -> Chart:
    """One row per scenario: the p50 line and the p50-p95 and p95-p99 bands of each window."""
    series = scenario_series(result)
    names = list(series) or ["(no scenarios)"]
    titles = []
    for name in names:
        stats = result.scenarios.get(name)
        d = stats.http_req_duration if stats else None
        titles.append(f"{name}: p50 {d.med:.1f} / p95 {d.p95:.1f} / p99 {d.p99:.1f} ms" if d else f"{name}: no requests")
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=titles, vertical_spacing=0.08)
    for row, name in enumerate(names, start=1):
        if name not in series:
            continue
        s = series[name]
        colour = scenario_colour(row - 1)
        _latency_traces(fig, s, row=row, colour=colour, first=row == 1)
        highest = max((v for v in s.p99_ms if v is not None), default=0.0)
        for label, limit in _duration_limits(result, name):
            if highest and limit <= highest * THRESHOLD_VISIBLE_FACTOR:
                fig.add_hline(y=limit, line={"color": THRESHOLD_COLOUR, "dash": "dash", "width": 1},
                              annotation_text=label, annotation_position="top left", row=row, col=1)
        fig.update_yaxes(title_text="ms", rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text="seconds from start", row=len(names), col=1)
    finish(fig, title="Latency over time per scenario (p50 line, p50-p95 and p95-p99 bands)",
           height=max(320, ROW_HEIGHT_PX * len(names) + 80))
    window = result.meta.window_s
    caption = (f"Percentiles of the requests in each {window:g} s window, from the engine's HdrHistograms "
               "(never averaged). Dashed lines: latency thresholds within range of the data.")
    return Chart("latency", "Latency", fig, caption)


def throughput_chart(result: RunResult, targets: dict[str, Curve]) -> Chart:
    """Iterations started per second against the plan's target rate, per scenario."""
    series = scenario_series(result)
    fig = go.Figure()
    for index, (name, s) in enumerate(series.items()):
        colour = scenario_colour(index)
        fig.add_trace(go.Scatter(x=s.t_s, y=s.iterations_per_s, name=f"{name} achieved", mode=line_mode(s.iterations_per_s),
                                 line={"color": colour, "width": 2}, legendgroup=name))
        if name in targets:
            xs, ys = zip(*targets[name], strict=True)
            fig.add_trace(go.Scatter(x=list(xs), y=list(ys), name=f"{name} target", mode="lines",
                                     line={"color": colour, "width": 1.5, "dash": "dash"}, legendgroup=name))
    if not series:
        empty_note(fig, "no time series in this result")
    fig.update_xaxes(title_text="seconds from start")
    fig.update_yaxes(title_text="iterations / s", rangemode="tozero")
    finish(fig, title="Throughput: iterations started per second vs target", height=420)
    rows = []
    for name, stats in result.scenarios.items():
        if stats.target_rate_per_s:
            share = 100.0 * stats.achieved_rate_per_s / stats.target_rate_per_s
            rows.append(f"{name} {stats.achieved_rate_per_s:.2f}/s of {stats.target_rate_per_s:.2f}/s ({share:.1f} %)")
    caption = ("Solid: iterations started in each window; dashed: the plan's scheduled rate. "
               + ("; ".join(rows) if rows else "No arrival-rate scenario in this run."))
    return Chart("throughput", "Throughput vs target", fig, caption)


def errors_chart(result: RunResult) -> Chart:
    """Failed requests (and failed checks) by class: over time, and per scenario."""
    total = sum(sum(s.failures.values()) for s in result.scenarios.values())
    requests = sum(s.requests for s in result.scenarios.values())
    caption = (f"{total} failures in {requests} requests. Classes: 4xx, 429 (rate limited, its own class), "
               "5xx, connection (no HTTP answer), check (a failed vu.check on a successful request).")
    if total == 0:
        fig = go.Figure()
        empty_note(fig, f"no failed requests and no failed checks in {requests} requests")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return Chart("errors", "Errors by class", finish(fig, title="Errors by class", height=200), caption)
    fig = make_subplots(rows=2, cols=1, subplot_titles=("per window, all scenarios", "per scenario, whole run"),
                        vertical_spacing=0.18, row_heights=[0.6, 0.4])
    times, by_class = failures_over_time(result)
    for name, counts in by_class.items():
        fig.add_trace(go.Bar(x=times, y=counts, name=name, marker_color=FAILURE_COLOURS.get(name, GREY),
                             legendgroup=name), row=1, col=1)
    scenarios = list(result.scenarios)
    classes = failure_classes(c for s in result.scenarios.values() for c in s.failures)
    for name in classes:
        fig.add_trace(go.Bar(y=scenarios, x=[result.scenarios[s].failures.get(name, 0) for s in scenarios],
                             orientation="h", name=name, marker_color=FAILURE_COLOURS.get(name, GREY),
                             legendgroup=name, showlegend=name not in by_class), row=2, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="seconds from start", row=1, col=1)
    fig.update_yaxes(title_text="failures", row=1, col=1)
    fig.update_xaxes(title_text="failures", row=2, col=1)
    return Chart("errors", "Errors by class", legend_below(finish(fig, title="Errors by class", height=560)), caption)
