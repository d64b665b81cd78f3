"""The goals of a stress plan in its report: pass/fail rows, what reconciliation found, and the
series that show where the system bent (latency vs load, queue depth and worker memory vs time).

Added by `hook.write_run_report` when the run directory has a `goals.json`: inserted at the top
of `report.html`'s main section and appended to `summary.md`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from harness.goals.model import GoalReport
from harness.goals.samples import load_end_s, series, source_url
from harness.report.charts import Chart
from harness.results.model import RunResult

MIB = 1024 * 1024
_MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN"}
_COLOUR = {"pass": "#1b7f3b", "fail": "#b42318", "warn": "#b54708"}


def goals_rows_html(report: GoalReport) -> str:
    rows = "".join(
        f'<tr><td style="color:{_COLOUR[o.status]};font-weight:bold">{_MARK[o.status]}</td><td>{escape(o.name)}</td>'
        f"<td>{escape(o.observed)}</td><td>{escape(o.limit)}</td><td>{escape(o.detail)}</td></tr>"
        for o in report.outcomes)
    verdict = "all goals met" if report.ok else "goals failed"
    recon = ""
    r = report.reconciliation
    if r is not None and r.unaccounted:
        items = "".join(f"<li>{escape(i.kind)} {escape(i.id)}: {escape(i.reason)}</li>" for i in r.unaccounted[:50])
        more = f"<li>... and {len(r.unaccounted) - 50} more (reconciliation.json)</li>" if len(r.unaccounted) > 50 else ""
        recon = f"<h3>Missing or stuck</h3><ul>{items}{more}</ul>"
    return (f'<section id="goals"><h2>Stress goals: {escape(verdict)}</h2>'
            "<table><thead><tr><th></th><th>goal</th><th>observed</th><th>limit</th><th>detail</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{recon}</section>")


def goals_markdown(report: GoalReport) -> str:
    lines = ["", "## Stress goals", "", "| | goal | observed | limit |", "|---|---|---|---|"]
    lines += [f"| {_MARK[o.status]} | {o.name} | {o.observed} | {o.limit} |" for o in report.outcomes]
    r = report.reconciliation
    if r is not None and r.unaccounted:
        lines += ["", "Missing or stuck:", ""] + [f"- {i.kind} {i.id}: {i.reason}" for i in r.unaccounted[:50]]
    return "\n".join(lines) + "\n"


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
    fig.add_trace(go.Scatter(x=[t for t, _ in queue], y=[v for _, v in queue], name="queue length"), row=2, col=1)
    pending = series(result, "guardrail_pending_jobs", url=source_url(result, "worker"))
    fig.add_trace(go.Scatter(x=[t for t, _ in pending], y=[v for _, v in pending], name="pending (delivered)"),
                  row=2, col=1)
    for source in ("worker", "api"):
        rss = series(result, "process_resident_memory_bytes", url=source_url(result, source))
        fig.add_trace(go.Scatter(x=[t for t, _ in rss], y=[v / MIB for _, v in rss], name=f"{source} RSS"), row=3, col=1)
    redis = [s for s in result.samples.redis if s.used_memory is not None]
    fig.add_trace(go.Scatter(x=[s.t_s for s in redis], y=[(s.used_memory or 0) / MIB for s in redis],
                             name="Redis used_memory"), row=3, col=1)
    if not times and not queue and not redis:
        return None
    fig.add_vline(x=load_end_s(result), line_dash="dash", line_color="#888")
    fig.update_layout(height=760, margin={"l": 60, "r": 20, "t": 60, "b": 40},
                      title="Where the system bent (dashed line: end of the load; after it, the drain)")
    fig.update_xaxes(title_text="seconds from the run start", row=3, col=1)
    return Chart("bend", "Where the system bent", fig,
                 "Latency against load, queue depth and memory over the whole run, drain included.")


def add_goals_to_report(run_dir: Path, result: RunResult, report: GoalReport, *, html: Path | None,
                        markdown: Path | None) -> None:
    if html is not None and html.exists():
        from harness.report.html import _chart_section  # the report's own chart markup

        chart = bend_chart(result)
        section = goals_rows_html(report) + (_chart_section(chart) if chart else "")
        text = html.read_text(encoding="utf-8")
        text = text.replace("<main>", "<main>" + section, 1)
        html.write_text(text, encoding="utf-8")
    if markdown is not None and markdown.exists():
        with markdown.open("a", encoding="utf-8") as handle:
            handle.write(goals_markdown(report))
