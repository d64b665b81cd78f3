"""The cost figures laid out for an HTML page read at any width, a 390 px phone as a 1440 px desktop.

The page is static, so one layout must serve both: subplots side by side (~150 px each on a phone,
tier names cut or upright) are stacked one per row at the full width; category labels and long
titles are wrapped at their spaces (plotly breaks text only at `<br>`); the legend goes under the
figure, where its rows (more on a phone) push the bottom margin instead of covering axis titles;
every axis grows its margin to fit its labels.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

WRAP_AT = 12  # characters per line of a category label under a bar
WRAP_AT_SIDEWAYS = 22  # a horizontal bar's label, beside it
LEGEND_WRAP_AT = 40  # characters per line of a legend entry
TITLE_WRAP_AT = 36  # a phone shows ~40 characters of a 16 px title
ROW_HEIGHT_PX = 300
ROW_GAP = 0.16  # paper share between stacked subplots (room for the next one's title)
FRAME_PX = 190  # title, legend and margins around the stacked subplots
LINE_PX = 22  # one more line of a wrapped title
LABEL_LINE_PX = 18  # one line of a 13 px tick label
BAR_GAP_PX = 14
SIDEWAYS_FRAME_PX = 260  # title, x ticks, axis title and legend around horizontal bars


def wrapped(text: str, *, width: int = WRAP_AT) -> str:
    """`Growth (projected)` -> `Growth<br>(projected)`."""
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def for_any_width(fig: go.Figure) -> go.Figure:
    """The same traces, readable at 390 px and at 1440 px (changes `fig` in place and returns it)."""
    _stack_columns(fig)
    _room_per_bar(fig)
    top = fig.layout.margin.t or 80
    title = fig.layout.title.text or ""
    if len(title) > TITLE_WRAP_AT:
        title = wrapped(title, width=TITLE_WRAP_AT)
        top += LINE_PX * title.count("<br>")
    height = fig.layout.height or 450
    fig.update_layout(title={"text": title, "yref": "container", "y": 1.0 - 14.0 / height, "yanchor": "top"},
                      margin_t=top,
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yref": "container",
                              "yanchor": "bottom"})
    for trace in fig.data:  # a legend entry wider than a phone is cut at the window's edge
        if trace.name and trace.showlegend is not False and len(trace.name) > LEGEND_WRAP_AT:
            trace.name = wrapped(trace.name, width=LEGEND_WRAP_AT)
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
    """A one-row grid of subplots becomes one column, each subplot's title moved above its new row."""
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
        fig.layout[key].domain = (0.0, 1.0)
        fig.layout["yaxis" + key.removeprefix("xaxis")].domain = (max(round(top - height, 6), 0.0), min(round(top, 6), 1.0))
        for title in titles:
            if owners[id(title)] == key:
                title.update(x=0.0, xanchor="left", y=top)
    fig.update_layout(height=FRAME_PX + ROW_HEIGHT_PX * len(columns))


def _room_per_bar(fig: go.Figure) -> None:
    """Horizontal bars get the height their wrapped labels need, so no label reaches its neighbour's."""
    for names in _categories(fig, "y").values():
        lines = max(wrapped(n, width=WRAP_AT_SIDEWAYS).count("<br>") + 1 for n in names)
        bars = sum(1 for t in fig.data if t.type == "bar" and t.orientation == "h") if fig.layout.barmode == "group" else 1
        needed = SIDEWAYS_FRAME_PX + len(names) * max(lines * LABEL_LINE_PX, bars * 10) + len(names) * BAR_GAP_PX
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
        axis = letter + (getattr(trace, f"{letter}axis") or letter)[1:]
        names = found.setdefault(axis, [])
        names.extend(v for v in dict.fromkeys(values) if v not in names)
    return found
