"""Response-time distribution per request (Gatling's): how many responses fell in each latency
bucket, read from the request's stored HdrHistogram (`harness.metrics.hdr`), never re-sampled.

Buckets are log-spaced in ms (latency spans decades); each request is one step line, so several
requests stay readable on one chart.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from harness.metrics.hdr import decode
from harness.report.style import Chart, empty_note, finish, scenario_colour
from harness.results.model import RequestStats, RunResult

CHART_ID = "distribution"
BUCKETS_PER_DECADE = 10


def request_label(request: RequestStats) -> str:
    return f"{request.scenario}: {request.method} {request.name}"


def distribution(request: RequestStats) -> tuple[list[float], list[float], list[int]]:
    """(lower bound ms, upper bound ms, responses) per log-spaced bucket, from the stored histogram
    (bucket edges at 10 per decade between the histogram's min and max)."""
    histogram = decode(request.duration_ms.hdr)
    values_ms, counts = [], []
    for item in histogram.get_recorded_iterator():
        values_ms.append(histogram.get_highest_equivalent_value(item.value_iterated_to) / 1000.0)
        counts.append(item.count_added_in_this_iter_step)
    if not values_ms:
        return [], [], []
    low = math.floor(math.log10(max(min(values_ms), 1e-3)) * BUCKETS_PER_DECADE)
    high = math.ceil(math.log10(max(values_ms)) * BUCKETS_PER_DECADE) + 1
    edges = 10.0 ** (np.arange(low, high + 1) / BUCKETS_PER_DECADE)
    binned, _ = np.histogram(values_ms, bins=edges, weights=counts)
    keep = np.nonzero(binned)[0]
    first, last = (int(keep[0]), int(keep[-1])) if len(keep) else (0, -1)
    return (edges[first:last + 1].tolist(), edges[first + 1:last + 2].tolist(),
            [round(c) for c in binned[first:last + 1]])


def distribution_chart(result: RunResult) -> Chart:
    """One step line per request: responses per latency bucket (log x)."""
    fig = go.Figure()
    edges: list[float] = []
    for index, request in enumerate(r for r in result.requests if r.count):
        lower, upper, counts = distribution(request)
        edges += lower[:1] + upper[-1:]
        total = sum(counts) or 1
        centres = [math.sqrt(a * b) for a, b in zip(lower, upper, strict=True)]
        shares = [100.0 * c / total for c in counts]
        fig.add_trace(go.Scatter(
            x=centres, y=counts, name=request_label(request), mode="lines+markers", line_shape="hvh",
            line={"color": scenario_colour(index), "width": 2}, marker={"size": 4},
            customdata=list(zip(lower, upper, shares, strict=True)),
            hovertemplate="%{customdata[0]:.1f}-%{customdata[1]:.1f} ms: %{y} responses (%{customdata[2]:.1f} %)"))
    if not fig.data:
        empty_note(fig, "no request in this result")
    fig.update_xaxes(type="log", title_text="response time (ms, log scale)")
    if edges:  # start a little before a decade: its tick label clears the y axis's 0
        fig.update_xaxes(range=[math.floor(math.log10(min(edges))) - 0.15, math.log10(max(edges)) + 0.1])
    fig.update_yaxes(title_text="responses", rangemode="tozero")
    finish(fig, title="Response-time distribution per request", height=440)
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"},
                      margin={"l": 70, "r": 30, "t": 70, "b": 110}, hovermode="closest")
    caption = (f"Responses per latency bucket ({BUCKETS_PER_DECADE} buckets per decade), from each request's "
               "HdrHistogram (every response counted once). A second hump is a second population: a cache miss, "
               "a retry, a queue.")
    return Chart(CHART_ID, "Response-time distribution", fig, caption)


def distribution_figure(result: RunResult) -> go.Figure:
    """The response-time distribution figure alone (for the dashboard)."""
    return distribution_chart(result).figure
