"""XLSX output (openpyxl): one sheet per view, numbers as numbers with currency formats.

Totals a finance reader will want to check are Excel formulas over the line items:
  Lines           AI monthly cost = quantity x price per call; infrastructure costs are values
  Summary         infrastructure, AI = SUMIFS over Lines by tier and category; total = their sum
  Unit economics  ratios of Summary cells; guardrail and fixed/variable sums are SUMIFS over Lines
Scenario, sensitivity and projection sheets hold computed values (they re-price whole tiers).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from harness.costs.render.prose import findings, headline, reading_notes
from harness.costs.report import CostReport
from harness.costs.table import Kind, Table
from harness.costs.views import all_tables, basis, lines_table

FORMATS: dict[str, str] = {
    "money": '"$"#,##0.00;[Red]-"$"#,##0.00',
    "unit_money": '"$"#,##0.0000;[Red]-"$"#,##0.0000',
    "dollars": '"$"#,##0;[Red]-"$"#,##0',
    "price": '"$"#,##0.00####',
    "int": "#,##0",
    "number": "#,##0.00",
    "pct": "0.0%",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_BOLD = Font(bold=True)
_FORMULA_VIEWS = {"summary", "lines", "unit_economics"}  # written by hand below, with formulas

# Column letters of the Lines sheet that the formulas refer to.
LINES_TIER, LINES_CATEGORY, LINES_NAME, LINES_QTY, LINES_PRICE, LINES_COST, LINES_TYPE = (
    "A",
    "B",
    "C",
    "F",
    "H",
    "I",
    "J",
)


def render_xlsx(report: CostReport) -> bytes:
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    _readme(readme, report)
    _summary(wb.create_sheet("Summary"), report)
    _unit_economics(wb.create_sheet("Unit economics"), report)
    _lines(wb.create_sheet("Lines"), report)
    for table in all_tables(report):
        if table.key not in _FORMULA_VIEWS:
            _values_sheet(wb.create_sheet(_sheet_title(table)), table)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _readme(ws: Worksheet, report: CostReport) -> None:
    ws["A1"] = "BetterWorld cost-tier report"
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for heading, items in (
        ("Headline", [headline(report)]),
        ("What stands out", findings(report)),
        ("How to read it", reading_notes(report)),
    ):
        ws.cell(row=row, column=1, value=heading).font = _BOLD
        row += 1
        for item in items:
            ws.cell(row=row, column=1, value=item).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        row += 1
    ws.cell(row=row, column=1, value="Sheets: Summary, Unit economics and Lines hold formulas; the rest hold values.")
    ws.column_dimensions["A"].width = 140


def _header(ws: Worksheet, titles: list[str]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _put(ws: Worksheet, row: int, col: int, value: Any, kind: Kind) -> None:
    cell = ws.cell(row=row, column=col, value=_excel(value))
    if kind in FORMATS:
        cell.number_format = FORMATS[kind]


def _excel(value: Any) -> Any:
    # Decimals go in as numbers; openpyxl stores them as doubles, exact for every figure here.
    return float(value) if isinstance(value, Decimal) else value


def _values_sheet(ws: Worksheet, table: Table) -> None:
    _header(ws, [c.title for c in table.columns])
    for r, row in enumerate(table.rows, start=2):
        for c, (value, col) in enumerate(zip(row, table.columns), start=1):
            _put(ws, r, c, value, col.kind)
    _widths(ws, table)
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _lines(ws: Worksheet, report: CostReport) -> None:
    table = lines_table(report)
    _header(ws, [c.title for c in table.columns])
    for r, row in enumerate(table.rows, start=2):
        for c, (value, col) in enumerate(zip(row, table.columns), start=1):
            _put(ws, r, c, value, col.kind)
        if row[1] == "AI APIs":  # cost = calls x price, so the reader can check the arithmetic
            ws[f"{LINES_COST}{r}"] = f"={LINES_QTY}{r}*{LINES_PRICE}{r}"
            ws[f"{LINES_COST}{r}"].number_format = FORMATS["money"]
    _widths(ws, table)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _sumifs(tier_cell: str, column: str, criteria: str) -> str:
    def rng(col: str) -> str:
        return f"Lines!${col}:${col}"

    return f"SUMIFS({rng(LINES_COST)},{rng(LINES_TIER)},{tier_cell},{rng(column)},{criteria})"


def _summary(ws: Worksheet, report: CostReport) -> None:
    titles = [
        "Tier",
        "Basis",
        "Agents",
        "Humans",
        "Infrastructure (USD/mo)",
        "AI APIs (USD/mo)",
        "Total (USD/mo)",
        "Seed total (USD/mo)",
        "Model minus seed (USD/mo)",
    ]
    _header(ws, titles)
    for r, costs in enumerate(report.tiers, start=2):
        seed = report.model.tier(costs.tier_id).seed_totals
        _put(ws, r, 1, costs.tier_name, "text")
        _put(ws, r, 2, basis(costs.projected), "text")
        _put(ws, r, 3, costs.agents, "int")
        _put(ws, r, 4, costs.humans, "int")
        _put(ws, r, 5, "=" + _sumifs(f"$A{r}", LINES_CATEGORY, '"Infrastructure"'), "money")
        _put(ws, r, 6, "=" + _sumifs(f"$A{r}", LINES_CATEGORY, '"AI APIs"'), "money")
        _put(ws, r, 7, f"=E{r}+F{r}", "money")
        _put(ws, r, 8, seed.total_usd_month, "money")
        _put(ws, r, 9, f"=G{r}-H{r}", "money")
    for col, width in zip("ABCDEFGHI", (14, 32, 10, 10, 18, 16, 16, 18, 20)):
        ws.column_dimensions[col].width = width


def _unit_economics(ws: Worksheet, report: CostReport) -> None:
    titles = [
        "Tier",
        "Per agent (USD/mo)",
        "Per human (USD/mo)",
        "AI per agent (USD/mo)",
        "Guardrail evaluations/month",
        "Guardrail cost (USD/mo)",
        "Guardrails per 1,000 evaluations (USD)",
        "Fixed (USD/mo)",
        "Variable (USD/mo)",
        "Fixed share",
    ]
    _header(ws, titles)
    for r, costs in enumerate(report.tiers, start=2):
        s = r  # Summary lists the tiers in the same order, one row each
        guardrail = next(
            op.operation for op in report.model.tier(costs.tier_id).ai_operations if op.role == "guardrail"
        )
        _put(ws, r, 1, costs.tier_name, "text")
        _put(ws, r, 2, f"=Summary!G{s}/Summary!C{s}", "unit_money")
        _put(ws, r, 3, f"=IF(Summary!D{s}=0,0,Summary!G{s}/Summary!D{s})", "unit_money")
        _put(ws, r, 4, f"=Summary!F{s}/Summary!C{s}", "unit_money")
        _put(ws, r, 5, costs.guardrail_evaluations_month, "int")
        _put(ws, r, 6, "=" + _sumifs(f"$A{r}", LINES_NAME, f'"{guardrail}"'), "money")
        _put(ws, r, 7, f"=IF(E{r}=0,0,F{r}/E{r}*1000)", "unit_money")
        _put(ws, r, 8, "=" + _sumifs(f"$A{r}", LINES_TYPE, '"fixed"'), "money")
        _put(ws, r, 9, "=" + _sumifs(f"$A{r}", LINES_TYPE, '"variable"'), "money")
        _put(ws, r, 10, f"=IF(Summary!G{s}=0,0,H{r}/Summary!G{s})", "pct")
    for col, width in zip("ABCDEFGHIJ", (14, 16, 16, 16, 18, 18, 20, 16, 16, 12)):
        ws.column_dimensions[col].width = width


def _widths(ws: Worksheet, table: Table) -> None:
    for c, col in enumerate(table.columns, start=1):
        longest = max([len(col.title) // 2 + 2] + [min(len(str(row[c - 1] or "")), 60) for row in table.rows])
        ws.column_dimensions[get_column_letter(c)].width = max(10, min(longest + 2, 62))


def _sheet_title(table: Table) -> str:
    titles = {
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
    return titles.get(table.key, table.key[:31])
