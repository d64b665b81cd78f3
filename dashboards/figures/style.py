"""The look every chart shares: a light theme, one colour per scenario on every page, budget
lines dashed red, titles that name their units."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import plotly.graph_objects as go

BUDGET_RED = "#d62728"
LIMIT_GREY = "#555555"
ALL_REQUESTS = "#333333"
GOOD_GREEN = "#2e8b57"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", "size": 13, "color": "#222"}

# The seed's scenarios keep their colour whatever else a run holds; others take the rest in name order.
KNOWN_SCENARIOS = {
    "browse_problems": "#4e79a7",
    "search_missions": "#f28e2b",
    "create_problems": "#59a14f",
    "agent_registration_burst": "#b07aa1",
}
PALETTE = ("#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#8cd17d", "#499894", "#86bcb6", "#bab0ac", "#d4a6c8")
TIER_COLOURS = {"prefilter": "#76b7b2", "cache": "#59a14f", "llm": "#4e79a7", "dead_letter": "#7f7f7f"}
LOG_MS_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
TITLE_WRAP_AT = 38  # characters of a 16 px title a 390 px phone shows whole
TITLE_LINE_PX = 22
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def scenario_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per scenario: fixed for the seed's four, the palette in name order for the rest."""
    colours: dict[str, str] = {}
    others = sorted({n for n in names if n not in KNOWN_SCENARIOS})
    for name in names:
        if name in KNOWN_SCENARIOS:
            colours[name] = KNOWN_SCENARIOS[name]
    for index, name in enumerate(others):
        colours[name] = PALETTE[index % len(PALETTE)]
    return colours


def colour_of(name: str, colours: Mapping[str, str]) -> str:
    return colours.get(name) or scenario_colours([name])[name]


def series_colours(series: Sequence[tuple[str, str]], colours: Mapping[str, str]) -> list[str]:
    """A distinct colour per (scenario, series) pair: a scenario's first series keeps the scenario's
    colour (as on every other chart), a second one of the same scenario takes a palette colour no
    scenario uses, so two lines never share a colour."""
    taken = {colour_of(scenario, colours) for scenario, _ in series}
    spare = [c for c in (*PALETTE, *KNOWN_SCENARIOS.values()) if c not in taken]
    seen: set[str] = set()
    chosen: list[str] = []
    for scenario, _name in series:
        if scenario not in seen:
            seen.add(scenario)
            chosen.append(colour_of(scenario, colours))
        else:
            chosen.append(spare.pop(0) if spare else colour_of(scenario, colours))
    return chosen


def time_axis(fig: go.Figure, moments: Sequence[datetime], *, what: str) -> str:
    """Ticks a person reads: dates when the moments span days, HH:MM:SS (the day in the returned
    caption) within one day, and a single moment ticked once (plotly would tick fractions of a
    second). The range is the moments' own, padded by 4 % (an annotation must not stretch it).
    Returns what the axis shows (`run start, UTC`), for the chart's title: an axis title would
    sit where a phone's tall legend starts."""
    if not moments:
        return ""
    first, last = min(moments), max(moments)
    pad = (last - first) * 0.04 if last > first else timedelta(hours=1)
    options: dict[str, object] = {"range": [first - pad, last + pad], "hoverformat": "%Y-%m-%d %H:%M:%S"}
    if last - first >= timedelta(days=1):
        fig.update_xaxes(tickformat="%Y-%m-%d", **options)
        return f"{what}, UTC"
    if first == last:
        options |= {"tickvals": [first], "ticktext": [f"{first:%H:%M:%S}"]}
    fig.update_xaxes(tickformat="%H:%M:%S", **options)
    return f"{what} on {first:%Y-%m-%d}, UTC"


def themed(fig: go.Figure, *, title: str, height: int = 380) -> go.Figure:
    """The shared look. A long title is wrapped (a 390 px phone shows ~38 characters of it and plotly
    cuts the rest), and the top margin grows by a line for each line it wraps to."""
    shown = title if "<br>" in title else wrap_words(title, width=TITLE_WRAP_AT)
    extra_lines = shown.count("<br>") - title.count("<br>")
    fig.update_layout(
        template="plotly_white",
        title={"text": shown, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        font=FONT,
        height=height + TITLE_LINE_PX * extra_lines,
        margin={"l": 70, "r": 30, "t": 64 + TITLE_LINE_PX * extra_lines, "b": 56},
        legend={"orientation": "h", "y": -0.18, "x": 0, "yanchor": "top"},
        hoverlabel={"namelength": -1},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    if extra_lines:  # from the top down, so the lines it gains go into the grown margin
        fig.update_layout(title={"yref": "container", "y": 1.0 - 12.0 / fig.layout.height, "yanchor": "top"})
    return fig


LEGEND_ROW_PX = 24  # one row of a horizontal legend at 13 px


def legend_above(fig: go.Figure, *, rows: int = 1) -> go.Figure:
    """The legend in a band between the title and the plot, so it can never sit on the x-axis title or
    on tick labels (rotated ones included) at any width. `rows` is how many rows it may wrap to on a phone;
    the top margin grows by that many rows (plotly cannot know the viewport width at build time)."""
    top = (fig.layout.margin.t or 64) + LEGEND_ROW_PX * rows
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        margin={"t": top},
        title={"yref": "container", "y": 1.0 - 12.0 / (fig.layout.height or 380), "yanchor": "top"},
    )
    return fig


def wrap_words(text: str, *, width: int) -> str:
    """`text` broken at spaces into lines of at most `width` characters (plotly breaks only at `<br>`)."""
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def budget_line(fig: go.Figure, *, y: float, label: str, row: int | None = None, col: int | None = None,
                log_axis: bool = False, colour: str = BUDGET_RED, x: float = 0.0, xanchor: str = "left") -> None:
    """A dashed horizontal limit across the plot, labelled at its left end.

    Shapes count in the axis range. On a log axis plotly places a shape in data units but an
    annotation in log10 units, so the label's `y` is converted here.
    """
    options = {"row": row, "col": col} if row is not None else {}
    fig.add_hline(y=y, line_dash="dash", line_color=colour, line_width=1.5, **options)
    fig.add_annotation(
        text=label,
        x=x,
        xref="x domain",
        y=math.log10(y) if log_axis else y,
        showarrow=False,
        xanchor=xanchor,
        yanchor="bottom",
        font={"color": colour, "size": 11},
        **options,
    )


LABEL_SPOTS = ((0.0, "left"), (1.0, "right"), (0.5, "center"), (0.25, "center"), (0.75, "center"))


def budget_lines(fig: go.Figure, limits: Sequence[tuple[float, str]], *, row: int | None = None,
                 col: int | None = None, log_axis: bool = False) -> None:
    """Several limits on one plot, their labels spread along the line (left end, right end,
    middle...), so two close limits (150 and 200 ms) do not print their labels on each other."""
    for index, (y, label) in enumerate(sorted(limits)):
        x, anchor = LABEL_SPOTS[index % len(LABEL_SPOTS)]
        budget_line(fig, y=y, label=label, row=row, col=col, log_axis=log_axis, x=x, xanchor=anchor)


def log_ms_axis(fig: go.Figure, *, title: str, row: int | None = None) -> None:
    """A log y axis in milliseconds, ticked 1-2-5 (plotly's own log ticks print 200 ms as "2")."""
    options = {"row": row, "col": 1} if row is not None else {}
    fig.update_yaxes(type="log", title_text=title, tickvals=list(LOG_MS_TICKS),
                     ticktext=[f"{v:,}" for v in LOG_MS_TICKS], **options)


def empty_figure(message: str, *, title: str, height: int = 300) -> go.Figure:
    """A chart frame that says why it has nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return themed(fig, title=title, height=height)
