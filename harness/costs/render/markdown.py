"""Markdown output: a heading, how to read it, then every view as a table."""

from __future__ import annotations

from harness.costs.render.prose import findings, headline, reading_notes
from harness.costs.report import CostReport
from harness.costs.table import Table, format_cell
from harness.costs.views import all_tables


def render_markdown(report: CostReport) -> str:
    parts = ["# BetterWorld cost-tier report", "", headline(report), "", "## What stands out", ""]
    parts += [f"- {finding}" for finding in findings(report)]
    parts += ["", "## How to read it", ""]
    parts += [f"- {note}" for note in reading_notes(report)]
    parts.append("")
    for table in all_tables(report):
        parts += table_markdown(table)
    return "\n".join(parts)


def table_markdown(table: Table) -> list[str]:
    right = {"int", "number", "money", "dollars", "unit_money", "price", "pct"}
    lines = [f"## {table.title}", "", table.description, ""]
    lines.append("| " + " | ".join(_escape(c.title) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if c.kind in right else "---" for c in table.columns) + "|")
    for row in table.rows:
        cells = (_escape(format_cell(value, col.kind)) for value, col in zip(row, table.columns))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
