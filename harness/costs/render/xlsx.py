"""XLSX output (xlsxwriter): one sheet per view, numbers as numbers with number formats.

Every formula is stored with its computed value (see `xlsx_formulas`), so a preview or a reader
that does not calculate shows the numbers, and Excel or LibreOffice recalculate them when a price
changes. Sheets that hold measured figures (Measured, Projection) and the comparison are values,
with their heading in row 1 (it names the LLM emulator when the run's tokens were its).
"""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from harness.costs.render.prose import findings, headline, reading_notes
from harness.costs.render.xlsx_formulas import (
    cells_of,
    write_lines,
    write_sensitivity,
    write_summary,
    write_unit_economics,
    write_what_if_details,
    write_what_ifs,
)
from harness.costs.report import CostReport
from harness.costs.table import Column, Kind, Table
from harness.costs.views import all_tables, summary_table, unit_table

FORMATS: dict[str, str] = {
    "money": '"$"#,##0.00;[Red]-"$"#,##0.00',
    "unit_money": '"$"#,##0.0000;[Red]-"$"#,##0.0000',
    "dollars": '"$"#,##0;[Red]-"$"#,##0',
    "price": '"$"#,##0.00####',
    "int": "#,##0",
    "number": "#,##0.00",
    "decimal": "General",
    "pct": "0.0%",
}
_TITLED = {"measurements", "projection", "comparison"}  # value sheets with a heading row
_BY_HAND = {"summary", "unit_economics", "lines", "what_ifs", "what_if_details", "sensitivity"}
SHEET_TITLES = {
    "summary": "Summary",
    "unit_economics": "Unit economics",
    "lines": "Lines",
    "what_ifs": "What-ifs",
    "what_if_details": "What-if details",
    "sensitivity": "Sensitivity",
    "measurements": "Measured",
    "projection": "Projection",
    "comparison": "Comparison",
    "tier_assumptions": "Tier assumptions",
    "load_assumptions": "Load assumptions",
    "prices": "Price book",
    "sources": "Sources",
}


class _Writer:
    """Typed cell writes: numbers with their format, formulas with their cached value."""

    def __init__(self, wb: Workbook) -> None:
        self.formats: dict[str, Format] = {kind: wb.add_format({"num_format": fmt}) for kind, fmt in FORMATS.items()}
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "text_wrap": True, "valign": "top"})

    def put(self, ws: Worksheet, row: int, col: int, value: object, kind: Kind) -> None:
        if value is None or value == "":
            return
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            ws.write_number(row, col, float(value), self.formats.get(kind, self.formats["decimal"]))
        else:
            ws.write_string(row, col, str(value))

    def formula(self, ws: Worksheet, row: int, col: int, text: str, value: object, kind: Kind) -> None:
        cached = float(value) if isinstance(value, (int, float, Decimal)) else 0.0
        ws.write_formula(row, col, text, self.formats[kind], cached)

    def header_row(self, ws: Worksheet, table: Table, row: int) -> None:
        for c, col in enumerate(table.columns):
            ws.write_string(row, c, col.title, self.header)
        ws.freeze_panes(row + 1, 0)
        for c, col in enumerate(table.columns):
            longest = max([len(col.title) // 2 + 2] + [min(len(str(r[c] or "")), 60) for r in table.rows])
            ws.set_column(c, c, max(10, min(longest + 2, 62)))
        if table.rows:
            ws.autofilter(row, 0, row + len(table.rows), len(table.columns) - 1)


def render_xlsx(report: CostReport) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    w = _Writer(wb)
    _readme(wb.add_worksheet("Read me"), report, w)
    cells = cells_of(report)
    hand = {key: wb.add_worksheet(SHEET_TITLES[key]) for key in ("summary", "unit_economics", "lines")}
    w.header_row(hand["summary"], summary_table(report), 0)
    write_summary(hand["summary"], report, cells, w.put, w.formula)
    w.header_row(hand["unit_economics"], _unit_header(report), 0)
    write_unit_economics(hand["unit_economics"], report, cells, w.put, w.formula)
    w.header_row(hand["lines"], write_lines(hand["lines"], report, cells, w.put, w.formula), 0)
    for table in all_tables(report):
        if table.key in ("summary", "unit_economics", "lines"):
            continue
        ws = wb.add_worksheet(SHEET_TITLES.get(table.key, table.key[:31]))
        if table.key == "what_ifs":
            w.header_row(ws, write_what_ifs(ws, report, w.put, w.formula), 0)
        elif table.key == "what_if_details":
            w.header_row(ws, write_what_if_details(ws, report, cells, w.put, w.formula), 0)
        elif table.key == "sensitivity":
            w.header_row(ws, write_sensitivity(ws, report, cells, w.put, w.formula), 0)
        else:
            _values_sheet(ws, table, w)
    wb.close()
    return out.getvalue()


def _unit_header(report: CostReport) -> Table:
    """Unit economics as the sheet lays it out: evaluations and guardrail cost beside the ratios."""
    base = unit_table(report)
    cols = base.columns
    columns = (*cols[:4], Column("Guardrail evaluations/month", "int"), Column("Guardrail cost (USD/mo)", "money"),
               *cols[4:])
    return Table(key=base.key, title=base.title, description=base.description, columns=columns, rows=())


def _values_sheet(ws: Worksheet, table: Table, w: _Writer) -> None:
    top = 0
    if table.key in _TITLED:
        ws.write_string(0, 0, table.title, w.title)
        ws.write_string(1, 0, table.description)
        top = 3
    w.header_row(ws, table, top)
    for r, row in enumerate(table.rows, start=top + 1):
        for c, (value, col) in enumerate(zip(row, table.columns)):
            w.put(ws, r, c, value, col.kind)


def _readme(ws: Worksheet, report: CostReport, w: _Writer) -> None:
    ws.write_string(0, 0, "BetterWorld cost-tier report", w.title)
    row = 2
    sections = [("Headline", [headline(report)])]
    if report.projection is not None:
        sections.append(("Measured projection", [report.projection.title + "."]))
    sections += [("What stands out", findings(report)), ("How to read it", reading_notes(report))]
    for heading, items in sections:
        ws.write_string(row, 0, heading, w.bold)
        row += 1
        for item in items:
            ws.write_string(row, 0, item, w.wrap)
            row += 1
        row += 1
    ws.write_string(
        row,
        0,
        "Summary, Unit economics, Lines, What-ifs, What-if details and Sensitivity are formulas, stored with"
        " their values. Edit a price in 'Price book', an infrastructure cost in Lines or a rate in"
        " 'Tier assumptions' and they follow. The other sheets hold values.",
        w.wrap,
    )
    ws.set_column(0, 0, 140)
