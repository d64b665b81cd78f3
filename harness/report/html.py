"""report.html: one self-contained page (plotly.js inlined, no CDN, no external URL at all).

A Content-Security-Policy in the page forbids loading anything from anywhere: the browser itself
enforces that the report makes no request, wherever it is opened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape

import plotly.io as pio
from plotly.offline import get_plotlyjs

from harness.insights import find_insights
from harness.report.charts_health import health_chart
from harness.report.goals_section import SECTION_ID as GOALS_ID
from harness.report.goals_section import TITLE as GOALS_TITLE
from harness.report.goals_section import bend_chart, goals_html
from harness.report.health_section import SECTION_ID as HEALTH_ID
from harness.report.health_section import TITLE as HEALTH_TITLE
from harness.report.health_section import health_html, verdict_word
from harness.report.insights_section import SECTION_ID as INSIGHTS_ID
from harness.report.insights_section import TITLE as INSIGHTS_TITLE
from harness.report.insights_section import insights_html
from harness.report.style import Chart
from harness.report.tables import (
    custom_trend_rows,
    request_rows,
    run_facts,
    SCHEDULE_HEADER,
    SCHEDULE_INTRO,
    scenario_rows,
    schedule_rows,
    verdict_rows,
)
from harness.results.figures import schedule_gaps
from harness.results.model import RunResult
from harness.results.verdict import Verdict, run_verdict

# plotly.js carries URLs in its code (map tile servers, attribution links, SVG namespaces) that a
# time-series page never uses. Written as "\u0068ttp" they are the same JavaScript strings, and
# the file then holds no URL text at all; the Content-Security-Policy forbids any fetch anyway.
_URL_IN_CODE = re.compile(r"http(s?)://")
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:")
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
header{background:#13293d;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px 0;font-size:22px}
header dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:10px 0 0 0;font-size:13px}
header dt{opacity:.7}header dd{margin:0}
.badge{display:inline-block;padding:3px 12px;border-radius:4px;font-weight:bold;margin-left:10px;font-size:16px}
.PASS{background:#4f9d69}.FAIL{background:#c8553d}.INCOMPLETE,.RUNNING{background:#e39b32}
p.verdict-text{font-weight:bold}.verdict-fail{color:#b23b23}.verdict-pass{color:#2f7a4a}
nav{padding:8px 28px;background:#e9edf2;font-size:13px}nav a{margin-right:14px;color:#274b73}
main{padding:8px 28px 40px 28px;max-width:1500px}
section{background:#fff;border:1px solid #dde3ea;border-radius:6px;margin:16px 0;padding:10px 16px}
h2{font-size:17px;margin:8px 0}
p.caption{font-size:13px;color:#52606d;margin:4px 0 8px 0}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 10px;text-align:right;white-space:nowrap}
th{background:#f0f3f6}td:first-child,th:first-child{text-align:left}
td.left{text-align:left}
tr.failed td{background:#fbe9e5}.ok{color:#2f7a4a;font-weight:bold}.failed-mark{color:#b23b23;font-weight:bold}
ul.notes{font-size:13px}
.DEGRADED{background:#e39b32}.health-clean{color:#2f7a4a;font-weight:bold}
.health-degraded{color:#b54708;font-weight:bold}ul.health-reasons{font-size:13px;margin:4px 0}
.table-wrap{overflow-x:auto;max-width:100%}
td.left{white-space:normal;overflow-wrap:break-word;min-width:8em;max-width:32em}
#goals-table td{white-space:normal;overflow-wrap:break-word;min-width:7em}#goals-table td:first-child{min-width:0}
header dd,header div,p,li{overflow-wrap:anywhere}
ul.insights{font-size:14px;padding-left:18px}ul.insights ul{font-size:12px;color:#52606d}
li.insight{margin:4px 0}.severity{display:inline-block;padding:0 6px;border-radius:3px;font-size:11px;color:#fff;
text-transform:uppercase}.insight-critical .severity{background:#c8553d}.insight-warning .severity{background:#e39b32}
.insight-info .severity{background:#3b6ea5}
@media (max-width:700px){header,nav{padding-left:12px;padding-right:12px}main{padding:4px 8px 24px 8px}
section{padding:8px}header dl{grid-template-columns:1fr}}
"""


@lru_cache(maxsize=1)
def inline_plotly_js() -> str:
    """plotly.js as shipped with the plotly package, its URL strings escaped (same values)."""
    return _URL_IN_CODE.sub(lambda m: "\\u0068ttp" + m.group(1) + "://", get_plotlyjs())


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, row_classes: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{row_classes[index]}"' if index < len(row_classes) and row_classes[index] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _verdict_section(result: RunResult, verdict: Verdict) -> str:
    """The run's verdict (thresholds and goals, `run_verdict`'s words), then the threshold table."""
    head = (f'<section id="verdict"><h2>Verdict</h2>'
            f'<p class="verdict-text verdict-{verdict.state.lower()}" id="verdict-text">{escape(verdict.text)}</p>')
    rows = verdict_rows(result)
    if not rows:
        return f"{head}<p>The plan has no thresholds.</p></section>"
    cells = [[escape(r.threshold), escape(r.expression), escape(r.observed),
              '<span class="ok">ok</span>' if r.ok else '<span class="failed-mark">FAILED</span>', escape(r.note)]
             for r in rows]
    table = _table(["threshold", "expression", "observed", "verdict", "note"], cells,
                   row_classes=["" if r.ok else "failed" for r in rows])
    return f"{head}{table}</section>"


def _scenarios_section(result: RunResult) -> str:
    scenarios = _table(["scenario", "executor", "target", "achieved", "iterations", "dropped", "requests", "failures",
                        "p50 ms", "p95 ms", "p99 ms"],
                       [[escape(c) for c in (r.scenario, r.executor, r.target, r.achieved, r.iterations, r.dropped,
                                             r.requests, r.failures, r.p50, r.p95, r.p99)] for r in scenario_rows(result)])
    return f'<section id="scenarios"><h2>Scenarios</h2>{scenarios}</section>'


def _schedule_section(result: RunResult) -> str:
    rows = schedule_rows(result)
    if not rows:
        return ""
    cells = [[escape(c) for c in (r.scenario, r.saturation, r.service_p99, r.scheduled_p50, r.scheduled_p95,
                                  r.scheduled_p99, r.dropped)] for r in rows]
    gaps = "".join(f'<li class="schedule-gap">{escape(gap.text)}</li>' for gap in schedule_gaps(result))
    return (f'<section id="schedule"><h2>Schedule-true latency</h2><p>{escape(SCHEDULE_INTRO)}</p>'
            f"{_table(list(SCHEDULE_HEADER), cells)}" + (f"<ul>{gaps}</ul>" if gaps else "") + "</section>")


def _requests_section(result: RunResult) -> str:
    requests = _table(["scenario", "request", "count", "failures", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                      [[escape(c) for c in (r.scenario, r.request, r.count, r.failures, r.p50, r.p95, r.p99, r.max)]
                       for r in request_rows(result)])
    trends = custom_trend_rows(result)
    trend_table = _table(["metric", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                         [[escape(c) for c in (t.metric, t.count, t.p50, t.p95, t.p99, t.max)] for t in trends])
    return (f'<section id="requests"><h2>Requests</h2>{requests}'
            + (f"<h2>Custom trends</h2>{trend_table}" if trends else "") + "</section>")


def _scrolling_tables(body: str) -> str:
    """Every table inside its own scrolling box: a wide table scrolls there, the page keeps the
    viewport's width (390 px phones included)."""
    return body.replace("<table", '<div class="table-wrap"><table').replace("</table>", "</table></div>")


def _chart_div(chart: Chart) -> str:
    return pio.to_html(chart.figure, full_html=False, include_plotlyjs=False, div_id=f"chart-{chart.id}",
                       config=PLOTLY_CONFIG)


def _chart_section(chart: Chart) -> str:
    return (f'<section id="{escape(chart.id)}" class="chart"><h2>{escape(chart.title)}</h2>'
            f'<p class="caption">{escape(chart.caption)}</p>{_chart_div(chart)}</section>')


def _health_section(result: RunResult) -> str:
    """Measurement health: the verdict, the figures, and the sample windows' chart when there are any."""
    chart = health_chart(result.health)
    chart_html = f'<p class="caption">{escape(chart.caption)}</p>{_chart_div(chart)}' if chart is not None else ""
    return health_html(result.health, chart_html=chart_html)


def _goals_section(result: RunResult) -> str:
    """The stress goals (none for a plan without them), with where the system bent."""
    if result.goals is None:
        return ""
    chart = bend_chart(result)
    chart_html = f'<p class="caption">{escape(chart.caption)}</p>{_chart_div(chart)}' if chart is not None else ""
    return goals_html(result.goals, chart_html=chart_html)


def _header(result: RunResult, verdict: Verdict) -> str:
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in run_facts(result))
    summary = f"{verdict.detail}; measurement {verdict_word(result.health)}"
    degraded = ('<span class="badge DEGRADED">measurement DEGRADED</span>'
                if result.health is not None and result.health.verdict == "degraded" else "")
    return (f'<header><h1>Run report <span class="badge {verdict.state}">{verdict.state}</span>{degraded}</h1>'
            f"<div>{escape(summary)}</div><dl>{facts}</dl></header>")


def render_html(result: RunResult, charts: Sequence[Chart], *, notes: Sequence[str] = ()) -> str:
    """The whole page as one string."""
    verdict = run_verdict(result)
    goals = [(GOALS_ID, GOALS_TITLE)] if result.goals is not None else []
    links = [("verdict", "Verdict"), (INSIGHTS_ID, INSIGHTS_TITLE), *goals, (HEALTH_ID, HEALTH_TITLE),
             ("scenarios", "Scenarios")]
    links += [("schedule", "Schedule-true latency")] if schedule_rows(result) else []
    links += [(c.id, c.title) for c in charts]
    links.append(("requests", "Requests"))
    nav = "".join(f'<a href="#{escape(anchor)}">{escape(title)}</a>' for anchor, title in links)
    remarks = [*result.warnings, *result.samples.notes, *notes]
    notes_html = ("<section id=\"notes\"><h2>Notes</h2><ul class=\"notes\">"
                  + "".join(f"<li>{escape(n)}</li>" for n in remarks) + "</ul></section>") if remarks else ""
    body = [_header(result, verdict), f"<nav>{nav}</nav><main>", _verdict_section(result, verdict),
            insights_html(find_insights(result)), _goals_section(result), _health_section(result),
            _scenarios_section(result), _schedule_section(result)]
    body += [_chart_section(c) for c in charts]
    body += [_requests_section(result), notes_html, "</main>"]
    title = f"{result.meta.run_id}: {verdict.state}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{STYLE}</style><script>{inline_plotly_js()}</script></head><body>"
            + _scrolling_tables("".join(body)) + "</body></html>\n")

