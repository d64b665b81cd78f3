"""Redis figures: memory against maxmemory over a run, the peak of each run, evictions."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboards.figures.style import (
    BUDGET_RED,
    LIMIT_GREY,
    budget_line,
    empty_figure,
    legend_above,
    themed,
    wrap_words,
)
from dashboards.redis_memory import RedisSummary, RunPeak

MIB = 1024.0 * 1024.0
USED_COLOUR = "#4e79a7"
RSS_COLOUR = "#f28e2b"
FAR_BELOW_LIMIT = 0.25  # under this share of maxmemory the limit is noted, not drawn to scale
MEMORY_TITLE = "Redis memory over the run (MiB): used_memory and RSS against maxmemory"
AXIS_TITLE_WRAP_AT = 32  # characters: a 390 px phone shows ~40 of a 13 px axis title under a plot
NOTE_WRAP_AT = 44
PEAKS_TITLE = "Redis peak memory per run (MiB)"
EVICTIONS_TITLE = "Keys evicted since the run started (evicted_keys)"


def memory_figure(summary: RedisSummary) -> go.Figure:
    fig = go.Figure()
    t_s = list(summary.t_s)
    fig.add_scatter(x=t_s, y=_mib(summary.used_memory), name="used_memory", mode="lines+markers",
                    line={"color": USED_COLOUR, "width": 2},
                    hovertemplate="used_memory %{y:.1f} MiB at %{x:.0f} s<extra></extra>")
    fig.add_scatter(x=t_s, y=_mib(summary.used_memory_rss), name="used_memory_rss", mode="lines+markers",
                    line={"color": RSS_COLOUR, "width": 2},
                    hovertemplate="RSS %{y:.1f} MiB at %{x:.0f} s<extra></extra>")
    share = summary.used_share
    drawn_peak = max((v for v in (summary.peak_used, summary.peak_rss) if v is not None), default=0.0)
    if summary.maxmemory and share is not None and drawn_peak / summary.maxmemory >= FAR_BELOW_LIMIT:
        budget_line(fig, y=summary.maxmemory / MIB, label=f"maxmemory {summary.maxmemory / MIB:.0f} MiB")
    elif summary.maxmemory and share is not None:
        # Drawn to scale, the limit would flatten the lines against zero: say where it is instead.
        _corner_note(fig, f"maxmemory {summary.maxmemory / MIB:,.0f} MiB is far above the chart "
                          f"(peak used_memory is {100.0 * share:.1f} % of it)")
    else:
        _corner_note(fig, "maxmemory is 0 (no limit) or not reported")
    fig.update_yaxes(title_text="MiB", rangemode="tozero")
    fig.update_xaxes(title_text="seconds into the run")
    return themed(fig, title=MEMORY_TITLE, height=380)


def peaks_figure(peaks: Sequence[RunPeak], *, selected_key: str | None = None) -> go.Figure:
    """One group of bars per run (oldest left): peak used_memory and RSS, maxmemory as a marker."""
    if not peaks:
        return empty_figure("No run sampled Redis INFO.", title=PEAKS_TITLE)
    labels = _run_labels(peaks)
    run_ids = [p.run_id for p in peaks]
    outline = [3 if p.key == selected_key else 0 for p in peaks]
    fig = go.Figure()
    fig.add_bar(x=labels, y=_mib([p.peak_used for p in peaks]), name="peak used_memory", marker_color=USED_COLOUR,
                marker_line={"width": outline, "color": "#222"}, customdata=run_ids,
                hovertemplate="%{customdata}<br>peak used_memory %{y:.1f} MiB<extra></extra>")
    fig.add_bar(x=labels, y=_mib([p.peak_rss for p in peaks]), name="peak RSS", marker_color=RSS_COLOUR,
                marker_line={"width": outline, "color": "#222"}, customdata=run_ids,
                hovertemplate="%{customdata}<br>peak RSS %{y:.1f} MiB<extra></extra>")
    limits = [p.maxmemory / MIB if p.maxmemory else None for p in peaks]
    drawn = [max(p.peak_used or 0.0, p.peak_rss or 0.0) / p.maxmemory for p in peaks if p.maxmemory]
    used = [p.used_share for p in peaks if p.used_share is not None]
    note = ""
    if drawn and max(drawn) < FAR_BELOW_LIMIT:
        highest = f" (the highest peak used_memory is {100.0 * max(used):.1f} % of it)" if used else ""
        note = f"maxmemory is far above every peak{highest}"
    elif drawn:
        fig.add_scatter(x=labels, y=limits, name="maxmemory", mode="markers",
                        marker={"symbol": "line-ew-open", "size": 30, "color": BUDGET_RED,
                                "line": {"width": 3, "color": BUDGET_RED}},
                        hovertemplate="maxmemory %{y:.0f} MiB<extra></extra>")
    fig.update_layout(barmode="group", bargap=max(0.15, 0.8 - 0.1 * len(peaks)))  # a few runs: slim bars
    fig.update_yaxes(title_text="MiB", rangemode="tozero")
    # Many runs turn the start times upright: automargin makes room for them under the axis and the
    # legend goes above the plot, so neither the ticks nor the (wrapped) axis title run into it.
    fig.update_xaxes(title_text=wrap_words("run start (UTC); a thick outline marks the run shown",
                                           width=AXIS_TITLE_WRAP_AT), automargin=True)
    note = wrap_words(note, width=NOTE_WRAP_AT) if note else ""
    note_rows = note.count("<br>") + 1 if note else 0
    fig = legend_above(themed(fig, title=PEAKS_TITLE, height=440), rows=2 + note_rows)
    if note:  # the note heads the legend, in the band above the plot, where nothing else is drawn
        fig.update_layout(legend_title={"text": note, "side": "top left",
                                        "font": {"color": LIMIT_GREY, "size": 12}})
    return fig


def evictions_figure(summary: RedisSummary) -> go.Figure:
    if not summary.evictions:
        return empty_figure("Redis INFO did not report evicted_keys.", title=EVICTIONS_TITLE)
    fig = go.Figure(go.Scatter(
        x=list(summary.t_s), y=list(summary.evictions), name="evicted keys", mode="lines+markers",
        line={"color": BUDGET_RED if summary.evicted else LIMIT_GREY, "width": 2, "shape": "hv"},
        hovertemplate="%{y:.0f} keys evicted by %{x:.0f} s<extra></extra>",
    ))
    if not summary.evicted:
        fig.add_annotation(text="no key was evicted during this run", xref="paper", yref="paper", x=0.5, y=0.6,
                           showarrow=False, font={"color": LIMIT_GREY, "size": 13})
        fig.update_yaxes(range=[0, 1], dtick=1)
    fig.update_yaxes(title_text="keys", rangemode="tozero")
    fig.update_xaxes(title_text="seconds into the run")
    return themed(fig, title=EVICTIONS_TITLE, height=320)


def _corner_note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=1.0, showarrow=False, xanchor="left",
                       yanchor="bottom", font={"color": LIMIT_GREY, "size": 12})


def _run_labels(peaks: Sequence[RunPeak]) -> list[str]:
    """Short, unique category labels: the start time, numbered when two runs share it."""
    labels: list[str] = []
    for peak in peaks:
        label = f"{peak.started_at:%b %d %H:%M}"
        count = sum(1 for existing in labels if existing.split(" #")[0] == label)
        labels.append(f"{label} #{count + 1}" if count else label)
    return labels


def _mib(values: Sequence[float | None]) -> list[float | None]:
    return [v / MIB if v is not None else None for v in values]
