"""Insights (`harness.insights`) in both report files: near the top of report.html, a short list in
summary.md. Pure: insights in, text out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from harness.insights import Insight

SECTION_ID = "insights"
TITLE = "Insights"
NONE_FOUND = "No insight: no throughput limit, error spike, saturated generator, busy host, guardrail backlog or dropped iteration."
_MARK = {"critical": "!", "warning": "~", "info": "i"}


def insights_html(insights: Sequence[Insight]) -> str:
    if not insights:
        return f'<section id="{SECTION_ID}"><h2>{TITLE}</h2><p class="caption">{escape(NONE_FOUND)}</p></section>'
    items = "".join(
        f'<li class="insight insight-{i.severity}" data-kind="{escape(i.kind)}">'
        f'<span class="severity">{escape(i.severity)}</span> {escape(i.title)}'
        + ("<ul>" + "".join(f"<li>{escape(e)}</li>" for e in i.evidence) + "</ul>" if i.evidence else "")
        + "</li>" for i in insights)
    return f'<section id="{SECTION_ID}"><h2>{TITLE} ({len(insights)})</h2><ul class="insights">{items}</ul></section>'


def insights_markdown(insights: Sequence[Insight]) -> str:
    lines = [f"## {TITLE}", ""]
    if not insights:
        return "\n".join([*lines, NONE_FOUND, ""])
    for insight in insights:
        where = f" ({insight.evidence[0]})" if insight.evidence else ""
        lines.append(f"- **{insight.severity}**: {insight.title}{where}")
    return "\n".join([*lines, ""])
