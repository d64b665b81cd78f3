"""The measurement-health chart: host conditions per sample window over the load phase.

Host CPU pressure (%) on the left axis and the other processes' CPU (cores) on the right, each
limit as a dashed line in its series' colour (named in the legend), degraded windows shaded. The
load generator's and the system under test's CPU are in the legend (hidden until clicked).
Pure: health in, `Chart` out.
"""

from __future__ import annotations

import plotly.graph_objects as go

from harness.health.rules import degraded_seconds
from harness.report.health_section import TITLE, window_span
from harness.report.style import FONT, GREY, TICK_STANDOFF_PX, Chart, legend_below, line_mode, scenario_colour, with_alpha
from harness.results.model import HostConditions, MeasurementHealth

CHART_ID = "health"
PRESSURE_COLOUR = scenario_colour(0)
OTHER_COLOUR = scenario_colour(3)
DEGRADED_COLOUR = "#e39b32"
DEGRADED_FILL = with_alpha(DEGRADED_COLOUR, 0.2)
# Each axis reaches this far above its limit, so the limit line is never on the edge; not the same
# on both, or in a quiet run the two limit lines would fall on one another.
HEADROOM = 1.3
HEADROOM_RIGHT = 1.7


def _degraded_spans(windows: list[HostConditions]) -> list[tuple[float, float]]:
    """Consecutive degraded windows merged into one (start, end) span each."""
    spans: list[tuple[float, float]] = []
    for window in windows:
        if not window.reasons:
            continue
        start, end = window.t_s, window.t_s + window.duration_s
        if spans and start <= spans[-1][1] + 1e-6:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _top(values: list[float | None], limit: float | None, *, headroom: float = HEADROOM) -> float:
    """An axis range that shows every value and the limit line with room above."""
    peak = max((v for v in values if v is not None), default=0.0)
    return max(peak * 1.1, (limit or 0.0) * headroom, 1e-3)


def _limit_line(fig: go.Figure, *, y: float, yref: str, colour: str, text: str) -> None:
    # Named in the legend, not by a label on the line: two labels at close heights sit on one another
    # on a phone, wherever they are anchored.
    fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref=yref, y0=y, y1=y, showlegend=True,
                  line={"color": colour, "dash": "dash", "width": 1.5}, name=text)


def health_chart(health: MeasurementHealth | None) -> Chart | None:
    """The sample windows over time (None when there is no health or no window)."""
    if health is None or not health.windows:
        return None
    windows = health.windows
    x = [w.t_s + w.duration_s / 2 for w in windows]
    why = [f"{window_span(w)}: " + ("; ".join(w.reasons) if w.reasons else "clean") for w in windows]
    fig = go.Figure()
    for start, end in _degraded_spans(windows):
        fig.add_vrect(x0=start, x1=end, fillcolor=DEGRADED_FILL, line_width=0, layer="below")
    pressure = [w.cpu_pressure_some_pct for w in windows]
    other = [w.other_cpu_cores for w in windows]
    generator = [w.generator_cpu_cores for w in windows]
    system = [w.system_cpu_cores for w in windows]
    fig.add_trace(go.Scatter(x=x, y=pressure, name="host CPU pressure (%)", mode=line_mode(pressure),
                             line={"color": PRESSURE_COLOUR, "width": 2}, customdata=why,
                             hovertemplate="%{y:.1f} %<br>%{customdata}<extra>host CPU pressure</extra>"))
    fig.add_trace(go.Scatter(x=x, y=other, name="other processes' CPU (cores)", mode=line_mode(other), yaxis="y2",
                             line={"color": OTHER_COLOUR, "width": 2}, hovertemplate="%{y:.2f} cores"))
    for name, values, dash in (("load generator's CPU (cores)", generator, "dot"),
                               ("system under test's CPU (cores)", system, "dashdot")):
        if any(v is not None for v in values):
            fig.add_trace(go.Scatter(x=x, y=values, name=name, mode=line_mode(values), yaxis="y2", visible="legendonly",
                                     line={"color": GREY, "dash": dash, "width": 1}, hovertemplate="%{y:.2f} cores"))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="degraded window", hoverinfo="skip",
                             marker={"symbol": "square", "size": 14, "color": with_alpha(DEGRADED_COLOUR, 0.35)}))
    pressure_limit = health.limits.get("cpu_pressure_some_pct")
    cores_limit = health.limits.get("other_cpu_cores")
    if pressure_limit is not None:
        _limit_line(fig, y=pressure_limit, yref="y", colour=PRESSURE_COLOUR,
                    text=f"CPU pressure limit {pressure_limit:g} %")
    if cores_limit is not None:
        _limit_line(fig, y=cores_limit, yref="y2", colour=OTHER_COLOUR,
                    text=f"other processes limit {cores_limit:.2f} cores")
    start, end = min(w.t_s for w in windows), max(w.t_s + w.duration_s for w in windows)
    pad = 0.03 * (end - start)  # the first and last x labels clear the two y axes' zeros
    fig.update_layout(
        title={"text": "Host conditions per sample window", "x": 0.01, "xanchor": "left"},
        template="plotly_white", font=FONT, height=470, hovermode="x unified",
        margin={"l": 70, "r": 80, "t": 70, "b": 50},
        xaxis={"title": {"text": "seconds from start"}, "range": [start - pad, end + pad], "automargin": True},
        yaxis={"title": {"text": "CPU pressure %", "font": {"color": PRESSURE_COLOUR}},
               "range": [0, _top(pressure, pressure_limit)], "ticklabelstandoff": TICK_STANDOFF_PX},
        yaxis2={"title": {"text": "cores", "font": {"color": OTHER_COLOUR}}, "overlaying": "y", "side": "right",
                "range": [0, _top(other, cores_limit, headroom=HEADROOM_RIGHT)], "showgrid": False, "tickmode": "auto",
                "ticklabelstandoff": TICK_STANDOFF_PX},
    )
    legend_below(fig)
    return Chart(CHART_ID, TITLE, fig, _caption(health))


def _caption(health: MeasurementHealth) -> str:
    windows = health.windows
    bad = sum(1 for w in windows if w.reasons)
    degraded, observed = degraded_seconds(windows)
    share = f", {100 * degraded / observed:.0f} % of the load phase" if observed > 0 else ""
    return (f"{len(windows)} sample windows, {bad} degraded (shaded{share}). Host CPU pressure: the share of time "
            "runnable tasks waited for a CPU (Linux PSI, some). Other processes: the host's busy CPU less the load "
            "generator's and the system under test's. Dashed: the limits a window is judged against.")
