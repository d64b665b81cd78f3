"""The goals of a stress plan in its report, from the run result alone (`RunResult.goals`):
pass/fail/warn rows, what the reconciliation could not account for, and the series that show
where the system bent (latency vs load, queue depth and worker memory vs time).

Pure: a result in, Markdown / HTML text / a `Chart` out. Both report files place the section
right after the threshold verdict; a result without goals has none.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.goals.samples import load_end_s, series, source_url
from harness.report.style import Chart
from harness.results.model import GoalsVerdict, RunResult

SECTION_ID = "goals"
TITLE = "Stress goals"
MIB = 1024 * 1024
MARKS = {"pass": "PASS", "fail": "FAIL", "warn": "WARN"}
_COLOUR = {"pass": "#1b7f3b", "fail": "#b42318", "warn": "#b54708"}
_FAILED = ' class="failed"'


def goals_headline(goals: GoalsVerdict) -> str:
    """'2 of 3 goals met; failed: "x"' (what the section's heading says)."""
    failed = [f'"{o.name}"' for o in goals.outcomes if o.status == "fail"]
    met = len(goals.outcomes) - len(failed)
    return f"{met} of {len(goals.outcomes)} goals met" + ("; failed: " + ", ".join(failed) if failed else "")


def _unaccounted_lines(goals: GoalsVerdict) -> list[str]:
    lines = [f"{i.kind} {i.id}: {i.reason}" for i in goals.unaccounted]
    more = goals.unaccounted_total - len(goals.unaccounted)
    if more > 0:
        lines.append(f"... and {more} more (reconciliation.json)")
    return lines


def goals_html(goals: GoalsVerdict, *, chart_html: str = "") -> str:
    """report.html's section; `chart_html` is the rendered `bend_chart` (empty: none)."""
    rows = "".join(
        f"<tr{_FAILED if o.status == 'fail' else ''}>"
        f'<td style="color:{_COLOUR[o.status]};font-weight:bold">{MARKS[o.status]}</td><td class="left">{escape(o.name)}</td>'
        f'<td>{escape(o.observed)}</td><td class="left">{escape(o.limit)}</td><td class="left">{escape(o.detail)}</td></tr>'
        for o in goals.outcomes)
    table = ('<table id="goals-table"><thead><tr><th></th><th>goal</th><th>observed</th><th>limit</th><th>detail</th>'
             f"</tr></thead><tbody>{rows}</tbody></table>")
    lines = _unaccounted_lines(goals)
    recon = ("<h3>Missing or stuck</h3><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
             if lines else "")
    notes = "".join(f'<p class="caption">{escape(note)}</p>' for note in goals.notes)
    return (f'<section id="{SECTION_ID}"><h2>{TITLE}: {escape(goals_headline(goals))}</h2>'
            f"{table}{recon}{notes}{chart_html}</section>")


def goals_markdown(goals: GoalsVerdict, *, table: Callable[[list[str], list[list[str]]], str]) -> str:
    """summary.md's section (`table` is the summary's own Markdown table writer)."""
    parts = [f"## {TITLE}", "", goals_headline(goals) + ".", "",
             table(["", "goal", "observed", "limit", "detail"],
                   [[MARKS[o.status], o.name, o.observed, o.limit, o.detail] for o in goals.outcomes]), ""]
    lines = _unaccounted_lines(goals)
    if lines:
        parts += ["Missing or stuck:", "", "\n".join(f"- {line}" for line in lines), ""]
    parts += [f"Note: {note}" for note in goals.notes] + ([""] if goals.notes else [])
    return "\n".join(parts)


def bend_chart(result: RunResult) -> Chart | None:
    """Where the system bent: p95 and active VUs per window; queue depth, worker and API RSS and
    Redis memory per sample; the end of the load marked (what follows is the drain)."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("p95 latency (ms) and active VUs", "guardrail queue depth (jobs)",
                                        "memory (MiB)"),
                        specs=[[{"secondary_y": True}], [{}], [{}]])
    by_t: dict[float, tuple[float, int]] = {}
    for point in result.time_series:
        if point.p95_ms is not None:
            p95, vus = by_t.get(point.t_s, (0.0, 0))
            by_t[point.t_s] = (max(p95, point.p95_ms), vus + point.active_vus)
    times = sorted(by_t)
    fig.add_trace(go.Scatter(x=times, y=[by_t[t][0] for t in times], name="p95 (worst scenario)"), row=1, col=1)
    fig.add_trace(go.Scatter(x=times, y=[by_t[t][1] for t in times], name="active VUs", line={"dash": "dot"}),
                  row=1, col=1, secondary_y=True)
    queue = series(result, "guardrail_queue_length")
    fig.add_trace(go.Scatter(x=list(queue.t_s), y=list(queue.values), name="queue length"), row=2, col=1)
    worker = source_url(result, "worker")
    pending = series(result, "guardrail_pending_jobs", url=worker) if worker else None
    if pending:
        fig.add_trace(go.Scatter(x=list(pending.t_s), y=list(pending.values), name="pending (delivered)"),
                      row=2, col=1)
    for source in ("worker", "api"):
        url = source_url(result, source)
        rss = series(result, "process_resident_memory_bytes", url=url) if url else None
        if rss:
            fig.add_trace(go.Scatter(x=list(rss.t_s), y=[v / MIB for v in rss.values], name=f"{source} RSS"),
                          row=3, col=1)
    redis = [s for s in result.samples.redis if s.used_memory is not None]
    fig.add_trace(go.Scatter(x=[s.t_s for s in redis], y=[(s.used_memory or 0) / MIB for s in redis],
                             name="Redis used_memory"), row=3, col=1)
    if not times and not queue and not redis:
        return None
    most_vus = max((by_t[t][1] for t in times), default=0)
    fig.update_yaxes(title_text="p95 ms", rangemode="tozero", row=1, col=1, secondary_y=False)
    # VUs are whole numbers: integer ticks from 0 (a 0/1 series read 0.3 / 0.692 on an auto axis).
    fig.update_yaxes(title_text="active VUs", rangemode="tozero", tickformat="d", showgrid=False,
                     dtick=max(1, math.ceil(most_vus / 4)), range=[0, max(1, most_vus) * 1.1],
                     row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text="jobs", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text="MiB", rangemode="tozero", row=3, col=1)
    fig.add_vline(x=load_end_s(result), line_dash="dash", line_color="#888")
    # Legend across the bottom: on the right it squeezes the rows off a phone's screen.
    fig.update_layout(height=820, margin={"l": 60, "r": 60, "t": 60, "b": 40}, template="plotly_white",
                      title="Where the system bent",
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.07, "yanchor": "top"})
    fig.update_xaxes(title_text="seconds from the run start", row=3, col=1)
    return Chart("bend", "Where the system bent", fig,
                 "Latency against load, queue depth and memory over the whole run, drain included (dashed line: the "
                 "end of the load; after it, the drain).")

