"""The cost charts (`harness.costs.charts`) made readable at any width on the Costs page.

Those figures put the tiers as categories of subplots side by side; at 390 px each subplot is
~150 px wide, plotly turns the tier names upright and, with the reports' fixed margins, cuts them
("MVF", "Gro"). Here side-by-side subplots are stacked (one per row, the full width each), each
category label is wrapped at its spaces and read level, and every axis grows its margin to fit its
labels (automargin), so a tier's name is shown whole at 390 px as at 1440 px.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import plotly.graph_objects as go

WRAP_AT = 12  # characters per line of a category label
WRAP_AT_SIDEWAYS = 22  # a horizontal bar's label has the height of its bars for its lines
TITLE_WRAP_AT = 36
ROW_HEIGHT_PX = 300
ROW_GAP = 0.14  # paper share between stacked subplots (room for the next one's title)
FRAME_PX = 170  # title, legend and margins around the stacked subplots
SIDEWAYS_FRAME_PX = 260  # wrapped title, x ticks, wrapped axis title and a two-row legend around sideways bars
LABEL_LINE_PX = 18  # one line of a 13 px tick label
BAR_GAP_PX = 14


def wrapped(label: str, *, width: int = WRAP_AT) -> str:
    """`Growth (projected)` -> `Growth<br>(projected)`: plotly breaks tick text only at `<br>`."""
    return "<br>".join(textwrap.wrap(label, width=width, break_long_words=False)) or label


def readable(fig: go.Figure) -> go.Figure:
    """The same traces, subplots stacked, category labels wrapped and margins grown to fit them."""
    _stack_columns(fig)
    _room_per_bar(fig)
    top = fig.layout.margin.t or 80
    title = fig.layout.title.text
    if title and len(title) > TITLE_WRAP_AT:  # a phone shows ~40 characters of a 16 px title
        fig.update_layout(title_text=wrapped(title, width=TITLE_WRAP_AT))
        top += 30
    if fig.layout.legend.yanchor == "bottom" and (fig.layout.legend.y or 0) >= 1:  # a legend above the plot
        top += 40
    height = fig.layout.height or 450
    fig.update_layout(margin_t=top, title={"yref": "container", "y": 1.0 - 14.0 / height, "yanchor": "top"})
    fig.for_each_xaxis(lambda axis: axis.update(title_text=wrapped(axis.title.text, width=TITLE_WRAP_AT))
                       if axis.title.text else None)
    for letter, width in (("x", WRAP_AT), ("y", WRAP_AT_SIDEWAYS)):
        for axis, names in _categories(fig, letter).items():
            level = {"tickangle": 0} if letter == "x" else {}
            fig.update_layout({f"{letter}axis{axis[1:]}": {"tickmode": "array", "tickvals": names,
                                                            "ticktext": [wrapped(n, width=width) for n in names],
                                                            **level}})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _stack_columns(fig: go.Figure) -> None:
    """A one-row grid of subplots becomes one column: each subplot the full width, in its own row,
    its title (a paper annotation over its old column) moved above its new row."""
    columns = sorted((k for k in fig.layout if k.startswith("xaxis") and fig.layout[k].domain is not None),
                     key=lambda k: fig.layout[k].domain[0])
    if len(columns) < 2:
        return
    height = (1.0 - ROW_GAP * (len(columns) - 1)) / len(columns)
    titles = [a for a in fig.layout.annotations if a.xref == "paper" and a.yref == "paper" and a.y == 1.0]
    owners = {id(t): next((k for k in columns if fig.layout[k].domain[0] <= t.x <= fig.layout[k].domain[1]), None)
              for t in titles}  # read before any domain moves
    for row, key in enumerate(columns):
        top = 1.0 - row * (height + ROW_GAP)
        y_key = "yaxis" + key.removeprefix("xaxis")
        fig.layout[key].domain = (0.0, 1.0)
        fig.layout[y_key].domain = (max(round(top - height, 6), 0.0), min(round(top, 6), 1.0))
        for title in titles:
            if owners[id(title)] == key:
                title.update(x=0.5, y=top)
    fig.update_layout(height=FRAME_PX + ROW_HEIGHT_PX * len(columns))


def _room_per_bar(fig: go.Figure) -> None:
    """Horizontal bars (the tornado) get the height their wrapped labels need: each bar as tall as its
    label's lines plus a gap, so at 390 px, where the labels wrap, no label reaches its neighbour's."""
    for names in _categories(fig, "y").values():
        lines = max(wrapped(n, width=WRAP_AT_SIDEWAYS).count("<br>") + 1 for n in names)
        needed = SIDEWAYS_FRAME_PX + len(names) * (lines * LABEL_LINE_PX + BAR_GAP_PX)
        fig.update_layout(height=max(fig.layout.height or 450, needed))


def _categories(fig: go.Figure, letter: str) -> dict[str, list[str]]:
    """Per category axis (`x`, `x2`...; `y`... for horizontal bars), the labels its bars use, in order."""
    found: dict[str, list[str]] = {}
    for trace in fig.data:
        if trace.type != "bar" or (trace.orientation == "h") != (letter == "y"):
            continue
        values = getattr(trace, letter)
        if values is None or not all(isinstance(v, str) for v in values):
            continue
        ref = getattr(trace, f"{letter}axis") or letter
        axis = letter + ref[1:]  # "x2" -> "x2", "x" -> "x"
        names = found.setdefault(axis, [])
        names.extend(v for v in _unique(values) if v not in names)
    return found


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
