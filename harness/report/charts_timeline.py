"""One time axis for the load: request rate, p95, failure rate, busy VUs against the achieved rate,
and responses per second by outcome class, in stacked rows sharing x (k6's web dashboard, Gatling).

All scenarios together, per window (placed at its middle, drain windows left out as in
`series.scenario_series`). p95 cannot be merged across scenarios from window percentiles: the row
draws the worst scenario's, and says so.
"""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.report.series import scenario_series
from harness.report.style import (
    FAILURE_COLOURS,
    GREY,
    Chart,
    empty_note,
    finish,
    line_mode,
    scenario_colour,
)
from harness.results.model import RunResult

CHART_ID = "timeline"
OK_COLOUR = "#4f9d69"
OUTCOME_CLASSES = ("ok", "4xx", "429", "5xx", "connection")  # 'check' is not a response: a failed check on a 2xx
HTTP_FAILURES = OUTCOME_CLASSES[1:]
ROW_TITLES = ("requests per second", "p95 latency (ms, worst scenario)", "failed requests (%)",
              "busy VUs and iterations started per second", "responses per second by outcome")


def timeline_series(result: RunResult) -> dict[str, list[float]]:
    """Per window: t_s, requests_per_s, p95_ms (worst scenario; NaN without requests), failed_pct,
    active_vus, iterations_per_s, and `<class>_per_s` for each outcome class."""
    window_s = result.meta.window_s or 1.0
    sums: dict[float, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    p95: dict[float, float] = {}
    for s in scenario_series(result).values():
        for i, t in enumerate(s.t_s):
            row = sums[t]
            row["requests_per_s"] += s.requests_per_s[i]
            row["active_vus"] += s.active_vus[i]
            row["iterations_per_s"] += s.iterations_per_s[i]
            for name in HTTP_FAILURES:
                row[f"{name}_per_s"] += s.failures.get(name, [0] * len(s.t_s))[i] / window_s
            if s.p95_ms[i] is not None:
                p95[t] = max(p95.get(t, 0.0), s.p95_ms[i])  # type: ignore[arg-type]
    times = sorted(sums)
    out: dict[str, list[float]] = {"t_s": times}
    for key in ("requests_per_s", "active_vus", "iterations_per_s", *(f"{c}_per_s" for c in HTTP_FAILURES)):
        out[key] = [sums[t][key] for t in times]
    failed = [sum(sums[t][f"{c}_per_s"] for c in HTTP_FAILURES) for t in times]
    out["ok_per_s"] = [max(0.0, r - f) for r, f in zip(out["requests_per_s"], failed, strict=True)]
    out["failed_pct"] = [100.0 * f / r if r else 0.0 for f, r in zip(failed, out["requests_per_s"], strict=True)]
    out["p95_ms"] = [p95.get(t, float("nan")) for t in times]
    return out


def timeline_chart(result: RunResult) -> Chart:
    """Five rows on one shared time axis (see the module's docstring)."""
    data = timeline_series(result)
    t = data["t_s"]
    fig = make_subplots(rows=5, cols=1, shared_xaxes=True, vertical_spacing=0.045, subplot_titles=ROW_TITLES,
                        specs=[[{}], [{}], [{}], [{"secondary_y": True}], [{}]])
    mode = line_mode(data["requests_per_s"])
    fig.add_trace(go.Scatter(x=t, y=data["requests_per_s"], name="requests/s", mode=mode,
                             line={"color": scenario_colour(0), "width": 2}), row=1, col=1)
    fig.add_trace(go.Scatter(x=t, y=data["p95_ms"], name="p95 ms", mode=mode, connectgaps=False,
                             line={"color": scenario_colour(3), "width": 2}), row=2, col=1)
    fig.add_trace(go.Scatter(x=t, y=data["failed_pct"], name="failed %", mode=mode,
                             line={"color": FAILURE_COLOURS["5xx"], "width": 2}), row=3, col=1)
    fig.add_trace(go.Scatter(x=t, y=data["active_vus"], name="busy VUs", mode=mode,
                             line={"color": GREY, "width": 2, "dash": "dot"}), row=4, col=1)
    fig.add_trace(go.Scatter(x=t, y=data["iterations_per_s"], name="iterations started/s", mode=mode,
                             line={"color": scenario_colour(0), "width": 2}), row=4, col=1, secondary_y=True)
    for name in OUTCOME_CLASSES:
        values = data[f"{name}_per_s"]
        if name == "ok" or any(values):
            fig.add_trace(go.Bar(x=t, y=values, name=f"{name}/s", marker_color=FAILURE_COLOURS.get(name, OK_COLOUR),
                                 legendgroup="outcome"), row=5, col=1)
    if not t:
        empty_note(fig, "no time series in this result")
    fig.update_layout(barmode="stack", bargap=0.1)
    for row, title in ((1, "req/s"), (2, "ms"), (3, "%"), (5, "resp/s")):
        fig.update_yaxes(title_text=title, rangemode="tozero", row=row, col=1)
    fig.update_yaxes(title_text="VUs", rangemode="tozero", row=4, col=1, secondary_y=False)
    fig.update_yaxes(title_text="iter/s", rangemode="tozero", showgrid=False, tickmode="auto", row=4, col=1,
                     secondary_y=True)
    if t:  # a little room left of the first window, so the x axis's 0 never sits on the y axis's 0
        end = max(t) + (result.meta.window_s or 1.0) / 2
        fig.update_xaxes(range=[-0.04 * end, end * 1.01])
    fig.update_xaxes(title_text="seconds from start", row=5, col=1)
    finish(fig, title="One time axis: load, latency and failures", height=1000)
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.06, "yanchor": "top"},
                      margin={"l": 70, "r": 60, "t": 70, "b": 90})
    caption = (f"Every scenario together, per {result.meta.window_s:g} s window. p95 is the worst scenario's (window "
               "percentiles cannot be added). Failed: 4xx, 429, 5xx and connection errors; failed checks on a "
               "successful answer are in 'Errors by class'.")
    return Chart(CHART_ID, "One time axis", fig, caption)


def timeline_figure(result: RunResult) -> go.Figure:
    """The one-time-axis figure alone (for the dashboard)."""
    return timeline_chart(result).figure
