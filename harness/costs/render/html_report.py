"""HTML output: one self-contained page (plotly.js embedded once, inline; no CDN, no network)."""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go

from harness.costs import charts
from harness.costs.figure_layout import for_any_width
from harness.costs.render.prose import findings, headline, reading_notes
from harness.costs.report import CostReport
from harness.costs.table import Table, format_cell
from harness.costs.views import (
    comparison_table,
    lines_table,
    scenario_details_table,
    scenarios_table,
    sensitivity_table,
    summary_table,
    unit_table,
)
from harness.costs.views_context import assumption_tables, projection_tables

_NUMERIC = {"int", "number", "money", "dollars", "unit_money", "price", "pct"}

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #1d2733; margin: 0 auto; max-width: 1180px;
       padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 2px solid #dde3ea;
     padding-bottom: 4px; } h3 { margin-top: 28px; }
p.lead { font-size: 16px; } .muted { color: #5b6775; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid #e4e8ee; padding: 5px 8px; vertical-align: top; }
th { background: #f3f6f9; text-align: left; } td.num, th.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 2px solid #9aa5b1; }
.flag-under, .flag-above { color: #b0302a; font-weight: bold; } .flag-over, .flag-below { color: #a86400; }
ul.findings li { margin-bottom: 4px; } details { margin: 8px 0; } summary { cursor: pointer; font-weight: bold; }
nav a { margin-right: 14px; } nav { line-height: 1.9; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 8px 0 20px; } .table-wrap table { margin: 0; }
td { overflow-wrap: anywhere; min-width: 5em; } td.num { min-width: 0; }
th.num { white-space: normal; min-width: 4em; }  /* long headers of number columns wrap; the numbers do not */
p, li, summary { overflow-wrap: anywhere; }
.chart { max-width: 100%; overflow: hidden; }
@media (max-width: 700px) {
  body { padding: 12px 10px 40px; } h1 { font-size: 21px; } h2 { margin-top: 28px; font-size: 19px; }
  table { font-size: 12px; } th, td { padding: 4px 5px; }
}
"""


def render_html(report: CostReport) -> str:
    figures = _figures(report)
    body: list[str] = [
        "<h1>BetterWorld cost-tier report</h1>",
        f'<p class="lead">{escape(headline(report))}</p>',
        _nav(report),
        '<h2 id="findings">What stands out</h2>',
        _list(findings(report), css="findings"),
        "<details><summary>How to read this report</summary>" + _list(reading_notes(report)) + "</details>",
        '<h2 id="tiers">Cost per tier</h2>',
        figures["stack"],
        _table(summary_table(report)),
        '<h2 id="units">Unit economics</h2>',
        figures["units"],
        _table(unit_table(report)),
    ]
    compared = comparison_table(report)
    if compared is not None:
        body += ['<h2 id="compare">Change since the previous report</h2>', _table(compared)]
    if report.projection is not None:
        measured, projected = projection_tables(report)
        body += [
            f'<h2 id="projection">{escape(report.projection.title)}</h2>',
            _table(measured),
            figures["projection"],
            _table(projected),
        ]
    body += ['<h2 id="whatifs">What-ifs</h2>', figures["whatif"], _table(scenarios_table(report))]
    body.append(
        "<details><summary>Every what-if in detail</summary>" + _table(scenario_details_table(report)) + "</details>"
    )
    body += ['<h2 id="sensitivity">Sensitivity</h2>', *figures["tornados"]]
    body.append(
        "<details><summary>All sensitivity figures</summary>" + _table(sensitivity_table(report)) + "</details>"
    )
    body += ['<h2 id="lines">Line items</h2>', _lines_by_tier(report)]
    body.append('<h2 id="assumptions">Assumptions and sources</h2>')
    body += [_table(t) for t in assumption_tables(report)]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>BetterWorld cost-tier report</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _figures(report: CostReport) -> dict[str, Any]:  # each value: an HTML str, or a list of them
    # plotly.js goes inline exactly once, in the first figure; the others reuse it.
    first = True

    def html(fig: go.Figure | None, div_id: str) -> str:
        nonlocal first
        if fig is None:
            return ""
        out = for_any_width(fig).to_html(
            full_html=False, include_plotlyjs=first, div_id=div_id, config={"displaylogo": False, "responsive": True}
        )
        first = False
        return f'<div class="chart">{out}</div>'

    return {
        "stack": html(charts.tier_stack_figure(report), "chart-tiers"),
        "units": html(charts.unit_costs_figure(report), "chart-units"),
        "projection": html(charts.projection_figure(report), "chart-projection"),
        "whatif": html(charts.whatif_figure(report), "chart-whatifs"),
        "tornados": [
            html(charts.tornado_figure(bars), f"chart-tornado-{bars[0].tier_id}") for bars in report.tornados if bars
        ],
    }


def _nav(report: CostReport) -> str:
    links = [("tiers", "Tiers"), ("units", "Unit economics")]
    if report.comparison is not None:
        links.append(("compare", "Changes"))
    if report.projection is not None:
        links.append(("projection", "Measured projection"))
    links += [
        ("whatifs", "What-ifs"),
        ("sensitivity", "Sensitivity"),
        ("lines", "Line items"),
        ("assumptions", "Assumptions"),
    ]
    return "<nav>" + "".join(f'<a href="#{key}">{escape(label)}</a>' for key, label in links) + "</nav>"


def _list(items: list[str], *, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def _table(table: Table, *, title: bool = True, total_label: str | None = None) -> str:
    head = "".join(
        f'<th class="num">{escape(c.title)}</th>' if c.kind in _NUMERIC else f"<th>{escape(c.title)}</th>"
        for c in table.columns
    )
    rows = []
    for row in table.rows:
        cells = []
        for value, col in zip(row, table.columns):
            text = escape(format_cell(value, col.kind))
            css = "num" if col.kind in _NUMERIC else _flag_class(str(value))
            cells.append(f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>")
        is_total = total_label is not None and row and row[0] == total_label
        rows.append(('<tr class="total">' if is_total else "<tr>") + "".join(cells) + "</tr>")
    heading = f"<h3>{escape(table.title)}</h3>" if title else ""
    return (
        f'{heading}<p class="muted">{escape(table.description)}</p>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )  # each table scrolls sideways in its own box: the page keeps the window's width


def _flag_class(text: str) -> str:
    return {
        "under-provisioned": "flag-under",
        "over-provisioned": "flag-over",
        "above plan": "flag-above",
        "below plan": "flag-below",
    }.get(text, "")


def _lines_by_tier(report: CostReport) -> str:
    """The line items, one collapsible table per tier with its subtotals and total."""
    full = lines_table(report)
    parts = []
    for costs in report.tiers:
        rows = [r for r in full.rows if r[0] == costs.tier_name]
        rows += [
            ("", "", "Infrastructure subtotal", "", "", None, "", None, costs.infrastructure_usd_month, "", "", ""),
            ("", "", "AI subtotal", "", "", None, "", None, costs.ai_usd_month, "", "", ""),
            ("Total", "", "", "", "", None, "", None, costs.total_usd_month, "", "", ""),
        ]
        table = Table(
            key=full.key, title=costs.tier_name, description=full.description, columns=full.columns, rows=tuple(rows)
        )
        projected = " (projected)" if costs.projected else ""
        label = f"{costs.tier_name}{projected}: {format_cell(costs.total_usd_month, 'money')}/mo"
        parts.append(
            f"<details><summary>{escape(label)}</summary>{_table(table, title=False, total_label='Total')}</details>"
        )
    return "".join(parts)
