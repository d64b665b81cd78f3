"""Colours, layout and the `Chart` record shared by the figure builders."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

SCENARIO_COLOURS = ("#3b6ea5", "#c8553d", "#4f9d69", "#8e6bb3", "#e39b32", "#2a9d8f", "#6d6875", "#b5838d")
FAILURE_COLOURS = {"4xx": "#e39b32", "429": "#8e6bb3", "5xx": "#c8553d", "connection": "#6d6875", "check": "#3b6ea5"}
GREY = "#8a8f98"
THRESHOLD_COLOUR = "#c8553d"
FONT = {"family": "Helvetica, Arial, sans-serif", "size": 12}
ROW_HEIGHT_PX = 230
TICK_STANDOFF_PX = 6
SPARSE_POINTS = 20  # fewer points than this: draw markers too, or one window would not show at all


@dataclass(frozen=True)
class Chart:
    """One figure of the report, with the anchor id and the caption the page shows with it."""

    id: str
    title: str
    figure: go.Figure
    caption: str


def scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def with_alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def finish(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        font=FONT,
        height=height,
        margin={"l": 70, "r": 30, "t": 70, "b": 50},
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
        hovermode="x unified",
    )
    # A few px between the y tick labels and the axis: the lowest y label then clears the first x label.
    fig.update_yaxes(ticklabelstandoff=TICK_STANDOFF_PX, automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def legend_below(fig: go.Figure) -> go.Figure:
    """The legend across the bottom of the figure, under the x axis title. On the right it squeezes the plots
    off a phone's screen; at a paper position below the plot its rows (more on a phone) climb onto that title."""
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yref": "container",
                              "yanchor": "bottom"})
    return fig


def left_titles(fig: go.Figure) -> go.Figure:
    """Subplot titles from their plot's left edge: centred, a long one runs off a phone's screen."""
    for note in fig.layout.annotations:
        if note.xref == "paper" and note.yanchor == "bottom" and note.xanchor == "center" and not note.showarrow:
            note.update(x=0, xanchor="left", font={"size": FONT["size"] + 1})
    return fig


def empty_note(fig: go.Figure, text: str, *, row: int | None = None) -> None:
    """A centred note on an empty (sub)plot."""
    ref = {} if row is None else {"xref": f"x{row if row > 1 else ''} domain", "yref": f"y{row if row > 1 else ''} domain"}
    fig.add_annotation(text=text, x=0.5, y=0.5, showarrow=False, font={"color": GREY, "size": 14},
                       **({"xref": "paper", "yref": "paper"} if row is None else ref))


def line_mode(values: list[float | None] | list[float]) -> str:
    """'lines', or 'lines+markers' for a series too short to read as a line."""
    return "lines+markers" if sum(v is not None for v in values) < SPARSE_POINTS else "lines"
