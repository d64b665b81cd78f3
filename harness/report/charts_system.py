"""Figures of the system around the load: guardrail latency, Redis memory, the database pool and
the load generator's own health. Pure: each builder takes the run result and returns a `Chart`
(or None when the result has nothing to draw, so the page says so instead of an empty frame).
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.report.series import percentile_curve, redis_memory, scenario_series, scrapes_of
from harness.report.style import (
    GREY,
    ROW_HEIGHT_PX,
    THRESHOLD_COLOUR,
    Chart,
    empty_note,
    finish,
    left_titles,
    legend_below,
    scenario_colour,
)
from harness.results.model import RunResult
from harness.results.samples import Line, counter_rate, gauge, histogram_mean_over_time, increase, redis_headroom
from harness.thresholds import latency_limits

GUARDRAIL_METRIC = "guardrail_latency"
EVALUATION_DURATION = "guardrail_evaluation_duration_seconds"
MIB = 1024.0 * 1024.0
MAXMEMORY_VISIBLE_FACTOR = 4.0  # draw the maxmemory line when it is within 4x the peak


def _limits_on(result: RunResult, metric: str) -> list[tuple[str, float]]:
    """(label, ms) of the run-wide percentile thresholds on `metric`."""
    limits = latency_limits(((t.metric, t.expression) for t in result.thresholds), metric=metric)
    return [(limit.expression, limit.limit_ms) for limit in limits if not limit.tags]


def _xy(line: Line, *, scale: float = 1.0) -> tuple[list[float], list[float]]:
    return list(line.t_s), [v * scale for v in line.values]


def guardrail_chart(result: RunResult) -> Chart | None:
    """Client-side time to the verdict (percentiles), and the worker's view over time."""
    metric = result.metrics.get(GUARDRAIL_METRIC)
    if metric is None or metric.trend is None:
        return None
    trend = metric.trend
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.2, specs=[[{}], [{"secondary_y": True}]],
                        subplot_titles=(f"client: POST to verdict, {trend.count} sent",
                                        "worker: enqueue to verdict; queue"))
    percentiles, values = percentile_curve(trend)
    labels = [f"p{p:g}" for p in percentiles]
    fig.add_trace(go.Scatter(x=labels, y=values, mode="lines+markers", name="guardrail_latency",
                             line={"color": scenario_colour(0), "width": 2}), row=1, col=1)
    for label, limit in _limits_on(result, GUARDRAIL_METRIC):
        fig.add_hline(y=limit, line={"color": THRESHOLD_COLOUR, "dash": "dash", "width": 1},
                      annotation_text=label, annotation_position="bottom left", row=1, col=1)  # top: on the subplot title
    mean_eval = histogram_mean_over_time(scrapes_of(result, f"{EVALUATION_DURATION}_count"), EVALUATION_DURATION)
    queue = gauge(scrapes_of(result, "guardrail_queue_length"), "guardrail_queue_length")
    if mean_eval:
        x, y = _xy(mean_eval, scale=1000.0)
        fig.add_trace(go.Scatter(x=x, y=y, name="worker mean, enqueue to verdict (ms)", mode="lines+markers",
                                 line={"color": scenario_colour(2)}), row=2, col=1)
    if queue:
        x, y = _xy(queue)
        fig.add_trace(go.Scatter(x=x, y=y, name="queue length (XLEN)", mode="lines",
                                 line={"color": GREY, "dash": "dot"}), row=2, col=1, secondary_y=True)
    if not mean_eval and not queue:
        empty_note(fig, "the worker's /metrics were not sampled", row=2)
    fig.update_yaxes(title_text="ms", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="ms", rangemode="tozero", row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text="jobs", rangemode="tozero", tickformat=",d", row=2, col=1, secondary_y=True)
    fig.update_xaxes(title_text="percentile", row=1, col=1)
    fig.update_xaxes(title_text="seconds from start", row=2, col=1)
    legend_below(left_titles(finish(fig, title="Guardrail latency", height=660)))
    caption = (f"p50 {trend.med:.0f} ms, p95 {trend.p95:.0f} ms, p99 {trend.p99:.0f} ms, max {trend.max:.0f} ms: "
               "from sending the POST until GET /problems/{id} shows the verdict (polled every 100 ms, so at "
               "most one interval high). The worker's mean comes from its histogram between samples.")
    return Chart("guardrail", "Guardrail latency", fig, caption)


def redis_chart(result: RunResult) -> Chart | None:
    """used_memory and used_memory_rss over time, with the maxmemory line when one is set."""
    memory = redis_memory(result)
    headroom = redis_headroom(result.samples)
    if headroom is None:
        return None
    fig = go.Figure()
    for key, colour, dash in (("used_memory", scenario_colour(0), None), ("used_memory_rss", scenario_colour(3), "dot")):
        if memory[key]:
            x, y = [t for t, _ in memory[key]], [v / MIB for _, v in memory[key]]
            fig.add_trace(go.Scatter(x=x, y=y, name=f"{key} (MiB)", mode="lines", line={"color": colour, "dash": dash}))
    maxmemory = headroom.maxmemory_bytes or 0
    policies = sorted({s.maxmemory_policy for s in result.samples.redis if s.maxmemory_policy})
    peak = headroom.peak_used_bytes
    if headroom.used_share is not None:
        limit_text = (f"maxmemory {maxmemory / MIB:.0f} MiB; peak used_memory / maxmemory "
                      f"{100.0 * headroom.used_share:.1f} % (used_memory is what the limit governs; RSS also holds "
                      "allocator fragmentation)")
        if maxmemory <= peak * MAXMEMORY_VISIBLE_FACTOR:
            fig.add_hline(y=maxmemory / MIB, line={"color": THRESHOLD_COLOUR, "dash": "dash"},
                          annotation_text=f"maxmemory {maxmemory / MIB:.0f} MiB", annotation_position="top left")
        else:  # a line at 100x the data would flatten it: say where the limit is instead
            # Above the plot area (under the title's line), where it covers no series.
            fig.add_annotation(text=f"maxmemory {maxmemory / MIB:.0f} MiB: above this scale", xref="paper",
                               yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom", showarrow=False,
                               font={"color": THRESHOLD_COLOUR})
    else:
        limit_text = "maxmemory 0 (no limit set: Redis grows until the host runs out)"
    end = max((t for points in memory.values() for t, _ in points), default=0.0) or result.meta.duration_s
    fig.update_xaxes(title_text="seconds from start", range=[-0.03 * end, end * 1.01])  # 0 clears the y axis's 0
    fig.update_yaxes(title_text="MiB", rangemode="tozero")
    finish(fig, title="Redis memory", height=380)
    caption = (f"Peak used_memory {peak / MIB:.1f} MiB; {limit_text}; policy {', '.join(policies) or 'unknown'}. "
               f"Sampled from INFO every {result.samples.interval_s:g} s.")
    return Chart("redis", "Redis memory", fig, caption)


def db_pool_chart(result: RunResult) -> Chart | None:
    """The API's connection pool: size, idle and waiting requests, and pool timeouts per second."""
    scrapes = scrapes_of(result, "db_pool_size")
    size = gauge(scrapes, "db_pool_size")
    if not size:
        return None
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=("connections and waiting requests", "pool timeouts per second (503s)"))
    for name, colour, dash in (("db_pool_size", scenario_colour(0), None), ("db_pool_available", scenario_colour(2), "dot"),
                               ("db_pool_waiting", scenario_colour(1), None)):
        x, y = _xy(gauge(scrapes, name))
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line={"color": colour, "dash": dash}), row=1, col=1)
    x, y = _xy(counter_rate(scrapes, "db_pool_timeouts_total"))
    fig.add_trace(go.Bar(x=x, y=y, name="db_pool_timeouts_total / s", marker_color=THRESHOLD_COLOUR), row=2, col=1)
    fig.update_yaxes(title_text="count", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="per s", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="seconds from start", row=2, col=1)
    left_titles(finish(fig, title="Database connection pool (API)", height=520))
    total = increase(scrapes, "db_pool_timeouts_total")
    waiting = max(gauge(scrapes, "db_pool_waiting").values, default=0.0)
    caption = (f"Peak waiting {waiting:.0f}; {total:.0f} pool timeouts during the run; "
               f"pool size up to {max(size.values):.0f}. From the API's /metrics.")
    return Chart("db_pool", "Database pool", fig, caption)


def generator_chart(result: RunResult) -> Chart:
    """Is the load generator keeping up: dropped iterations, VUs, start lag."""
    series = scenario_series(result)
    fig = make_subplots(rows=3, cols=1, vertical_spacing=0.12,
                        subplot_titles=("dropped iterations per window", "VUs busy (solid), allocated (dotted)",
                                        "iteration start lag, whole run"))
    for index, (name, s) in enumerate(series.items()):
        colour = scenario_colour(index)
        drops = [(t, d) for t, d in zip(s.t_s, s.dropped, strict=True) if d]  # markers: a 1 s bar is a hairline
        # One legend entry per scenario (its busy-VUs line); clicking it toggles the scenario's drops
        # and allocated line too (same legendgroup), so no trace is left without a name on the page.
        fig.add_trace(go.Scatter(x=[t for t, _ in drops], y=[d for _, d in drops], mode="markers",
                                 name=f"{name} dropped", marker={"color": colour, "size": 9, "symbol": "x"},
                                 legendgroup=name, showlegend=False), row=1, col=1)
        fig.add_trace(go.Scatter(x=s.t_s, y=s.active_vus, mode="lines", line={"color": colour}, name=name,
                                 legendgroup=name, showlegend=True), row=2, col=1)
        fig.add_trace(go.Scatter(x=s.t_s, y=s.allocated_vus, mode="lines", line={"color": colour, "dash": "dot"},
                                 name=f"{name} allocated", legendgroup=name, showlegend=False), row=2, col=1)
    if not result.generator.dropped_iterations:
        empty_note(fig, "no dropped iterations", row=1)
    lagging = [(n, s.iteration_lag) for n, s in result.scenarios.items() if s.iteration_lag is not None]
    for label, key in (("p50", "med"), ("p95", "p95"), ("p99", "p99"), ("max", "max")):
        fig.add_trace(go.Bar(x=[n for n, _ in lagging], y=[getattr(t, key) for _, t in lagging], name=f"lag {label}",
                             marker_color=GREY, opacity={"med": 0.4, "p95": 0.6, "p99": 0.8, "max": 1.0}[key],
                             showlegend=False, text=[label] * len(lagging), textposition="outside"), row=3, col=1)
    if not lagging:
        empty_note(fig, "no scheduled iterations<br>(no arrival-rate scenario)", row=3)
        # Nothing to read off the axes; their tick labels would only sit under the note.
        fig.update_xaxes(showticklabels=False, row=3, col=1)
        fig.update_yaxes(showticklabels=False, row=3, col=1)
    fig.update_layout(barmode="group")
    most = max((d for s in series.values() for d in s.dropped), default=0)
    fig.update_yaxes(title_text="dropped", rangemode="tozero", dtick=max(1, math.ceil(most / 5)), row=1, col=1)
    # From just before 0: the x axis's 0 clears the y axis's 0.
    span = [-0.03 * result.meta.duration_s, result.meta.duration_s]
    fig.update_xaxes(range=span, row=1, col=1)
    fig.update_xaxes(range=span, row=2, col=1)
    fig.update_yaxes(title_text="VUs", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text="ms" if lagging else None, rangemode="tozero", row=3, col=1)
    fig.update_xaxes(title_text="seconds from start", row=1, col=1)
    fig.update_xaxes(title_text="seconds from start", row=2, col=1)
    finish(fig, title="Load generator health", height=3 * ROW_HEIGHT_PX + 160)
    # The legend above the rows, across: on the right it would squeeze the plots off a phone's screen.
    # (The section's heading names the chart: the figure's own title would sit on the legend.)
    fig.update_layout(title=None, legend={"title": {"text": "scenario"}, "orientation": "h", "x": 0, "xanchor": "left",
                                          "y": 1.05, "yanchor": "bottom"}, margin={"l": 70, "r": 30, "t": 90, "b": 50})
    g = result.generator
    lag = (f"start lag p50 {g.lag_p50_ms:.1f} ms, p99 {g.lag_p99_ms:.1f} ms, max {g.lag_max_ms:.1f} ms"
           if g.lag_p99_ms is not None and g.lag_p50_ms is not None and g.lag_max_ms is not None else "no scheduled iterations")
    cpu = "; ".join(f"{p.role} CPU {p.cpu_percent_avg:.0f} % avg, {p.cpu_percent_max:.0f} % max" for p in g.processes)
    verdict = "SATURATED: " + "; ".join(g.reasons) if g.saturated else "not saturated"
    caption = (f"{g.dropped_iterations} dropped iterations (no idle VU at the scheduled time); {lag} (scheduled "
               f"to started); {cpu}. Generator {verdict}.")
    return Chart("generator", "Load generator health", fig, caption)
