"""Every format opens and shows the figures: HTML parsed, XLSX read back, CSV and JSON parsed."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook

from harness.costs.render import FORMATS
from harness.costs.report import CostReport

D = Decimal
TOTALS = {"MVP": D("64.80"), "Growth": D("329"), "Scale": D("1917"), "Enterprise": D("12850")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.script_srcs: list[str] = []
        self.inline_script_sizes: list[int] = []
        self.link_hrefs: list[str] = []
        self.chart_ids: list[str] = []
        self.section_ids: list[str] = []
        self.tables = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.script_srcs.append(a["src"] or "")
            self.inline_script_sizes.append(0)
        elif tag == "link" and a.get("href"):
            self.link_hrefs.append(a["href"] or "")
        elif tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.chart_ids.append(a.get("id") or "")
        elif tag == "h2" and a.get("id"):
            self.section_ids.append(a["id"] or "")
        elif tag == "table":
            self.tables += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_script_sizes[-1] += len(data)


@pytest.fixture(scope="module")
def html_page(report: CostReport) -> tuple[str, _Page]:
    text = FORMATS["html"].render(report).decode("utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    return text, page


def test_html_is_self_contained(html_page: tuple[str, _Page]) -> None:
    _, page = html_page
    assert page.script_srcs == []  # no <script src=...> at all, so no CDN
    assert not [h for h in page.link_hrefs if h.startswith(("http", "//"))]
    big = [size for size in page.inline_script_sizes if size > 1_000_000]
    assert len(big) == 1  # plotly.js inlined exactly once


def test_html_has_every_chart_and_section(html_page: tuple[str, _Page]) -> None:
    text, page = html_page
    assert set(page.chart_ids) == {
        "chart-tiers",
        "chart-units",
        "chart-projection",
        "chart-whatifs",
        "chart-tornado-mvp",
        "chart-tornado-growth",
        "chart-tornado-scale",
        "chart-tornado-enterprise",
    }
    assert page.section_ids == [
        "findings",
        "tiers",
        "units",
        "projection",
        "whatifs",
        "sensitivity",
        "lines",
        "assumptions",
    ]
    assert page.tables >= 10
    for total in ("$64.80", "$329.00", "$1,917.00", "$12,850.00"):
        assert total in text
    assert "under-provisioned" in text and "run-42 (laptop)" in text


def test_markdown(report: CostReport) -> None:
    text = FORMATS["md"].render(report).decode("utf-8")
    assert text.startswith("# BetterWorld cost-tier report")
    row = next(line for line in text.splitlines() if line.startswith("| Scale | seed tables"))
    assert "| $637.00 | $1,280.00 | $1,917.00 | $1,917.00 | $0.00 |" in row
    assert "| Enterprise | $0.1285 | $0.0257 | $0.0785 | $1.3500 | $5,000.00 | $7,850.00 | 38.9 % |" in text
    assert "Enterprise API: under-provisioned (plan 24, measured need 39)." in text


def _csv_sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text)):
        if row and row[0].startswith("# ") and len(row) == 2:
            current = sections.setdefault(row[0][2:], [])
        elif not row:
            current = None
        elif current is not None:
            current.append(row)
    return sections


def test_csv_sections_hold_plain_numbers(report: CostReport) -> None:
    sections = _csv_sections(FORMATS["csv"].render(report).decode("utf-8"))
    assert {"summary", "unit_economics", "what_ifs", "sensitivity", "lines", "projection"} <= set(sections)
    header, *rows = sections["summary"]
    total_col = header.index("Total (USD/mo)")
    assert {r[0]: D(r[total_col]) for r in rows} == TOTALS
    header, *lines = sections["lines"]
    cost = header.index("Monthly cost (USD)")
    for tier, total in TOTALS.items():
        assert sum(D(r[cost]) for r in lines if r[0] == tier) == total


def test_json_has_the_infracost_shape(report: CostReport) -> None:
    doc = json.loads(FORMATS["json"].render(report))
    assert doc["kind"] == "bwperf.cost-report" and doc["currency"] == "USD"
    assert D(doc["totalMonthlyCost"]) == sum(TOTALS.values())
    assert [p["name"] for p in doc["projects"]] == list(TOTALS)
    for project in doc["projects"]:
        resources = project["breakdown"]["resources"]
        assert sum(D(r["monthlyCost"]) for r in resources) == D(project["breakdown"]["totalMonthlyCost"])
        assert D(project["breakdown"]["totalMonthlyCost"]) == TOTALS[project["name"]]
        for resource in resources:
            assert {"name", "monthlyCost", "costComponents"} <= set(resource)
            for c in resource["costComponents"]:
                assert set(c) == {"name", "unit", "price", "monthlyQuantity", "monthlyCost"}
                assert D(c["price"]) * D(c["monthlyQuantity"]) == D(c["monthlyCost"])
    enterprise = doc["projects"][3]["breakdown"]["resources"]
    guard = next(r for r in enterprise if r["name"] == "ai.guardrail_evaluation")["costComponents"][0]
    assert (guard["unit"], guard["price"], guard["monthlyQuantity"], guard["monthlyCost"]) == (
        "calls",
        "0.003",
        "1350000",
        "4050.00",
    )
    assert doc["projection"]["tiers"][3]["api"]["status"] == "under-provisioned"


# --- XLSX: read back, and evaluate its formulas the way Excel would -------------------------------

_SUMIFS = re.compile(r"^=SUMIFS\(Lines!\$(\w):\$\w,(.*)\)$")
_PAIR = re.compile(r"Lines!\$(\w):\$\w,(\$?[A-Z]+\d+|\"[^\"]*\")")


def _evaluate(wb: Any, sheet: str, ref: str) -> Decimal:
    """A tiny evaluator for the formula shapes the report writes (SUMIFS, + - * /, IF(x=0,0,y))."""
    value = wb[sheet][ref].value
    if not isinstance(value, str) or not value.startswith("="):
        return D(str(value))
    m = _SUMIFS.match(value)
    if m:
        sum_col, rest = m.groups()
        criteria = []
        for col, crit in _PAIR.findall(rest):
            wanted = crit.strip('"') if crit.startswith('"') else wb[sheet][crit.replace("$", "")].value
            criteria.append((col, wanted))
        lines = wb["Lines"]
        total = D(0)
        for r in range(2, lines.max_row + 1):
            if all(lines[f"{col}{r}"].value == wanted for col, wanted in criteria):
                total += _evaluate(wb, "Lines", f"{sum_col}{r}")
        return total
    m = re.match(r"^=IF\((.+)=0,0,(.+)\)$", value)
    if m:
        test, expr = m.groups()
        return D(0) if _arith(wb, sheet, test) == 0 else _arith(wb, sheet, expr)
    return _arith(wb, sheet, value[1:])


def _arith(wb: Any, sheet: str, expr: str) -> Decimal:
    tokens = re.findall(r"(?:\w+!)?[A-Z]+\d+|\d+|[-+*/]", expr)
    values: list[Any] = []
    for tok in tokens:
        if tok in "+-*/":
            values.append(tok)
        elif re.fullmatch(r"\d+", tok):
            values.append(D(tok))
        else:
            where, ref = tok.split("!") if "!" in tok else (sheet, tok)
            values.append(_evaluate(wb, where, ref))
    result = values[0]
    for op, operand in zip(values[1::2], values[2::2]):  # left to right is enough for a*b/c and a-b
        result = {"+": result + operand, "-": result - operand, "*": result * operand, "/": result / operand}[op]
    return result


@pytest.fixture(scope="module")
def workbook(report: CostReport, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("xlsx") / "costs.xlsx"
    path.write_bytes(FORMATS["xlsx"].render(report))
    return load_workbook(path)


def test_xlsx_has_a_sheet_per_view(workbook: Any) -> None:
    assert workbook.sheetnames == [
        "Read me",
        "Summary",
        "Unit economics",
        "Lines",
        "Measured",
        "Projection",
        "What-ifs",
        "What-if details",
        "Sensitivity",
        "Tier assumptions",
        "Load assumptions",
        "Price book",
        "Sources",
    ]


def test_xlsx_totals_are_formulas_that_compute_the_right_numbers(workbook: Any) -> None:
    summary = workbook["Summary"]
    for row in range(2, 6):
        tier = summary[f"A{row}"].value
        assert str(summary[f"G{row}"].value).startswith("=")
        assert summary[f"G{row}"].number_format.startswith('"$"#,##0.00')
        assert round(_evaluate(workbook, "Summary", f"G{row}"), 6) == TOTALS[tier]
    assert _evaluate(workbook, "Summary", "E5") == D("5000")  # Enterprise infrastructure
    assert round(_evaluate(workbook, "Summary", "F2"), 6) == D("12.80")  # MVP AI
    assert round(_evaluate(workbook, "Summary", "I2"), 6) == D("-0.20")  # MVP model minus seed


def test_xlsx_unit_economics_formulas(workbook: Any) -> None:
    ws = workbook["Unit economics"]
    assert ws["A5"].value == "Enterprise"
    assert round(_evaluate(workbook, "Unit economics", "B5"), 6) == D("0.1285")
    assert round(_evaluate(workbook, "Unit economics", "C5"), 6) == D("0.0257")
    assert round(_evaluate(workbook, "Unit economics", "G5"), 6) == D("1.35")
    assert round(_evaluate(workbook, "Unit economics", "J2"), 4) == D("0.8025")
    assert ws["J2"].number_format == "0.0%"


def test_xlsx_lines_are_numbers_and_ai_costs_are_quantity_times_price(workbook: Any) -> None:
    ws = workbook["Lines"]
    header = [c.value for c in ws[1]]
    assert header[:9] == [
        "Tier",
        "Category",
        "Line",
        "Provider / model",
        "Spec",
        "Quantity",
        "Unit",
        "Price per call (USD)",
        "Monthly cost (USD)",
    ]
    ai_rows = [r for r in range(2, ws.max_row + 1) if ws[f"B{r}"].value == "AI APIs"]
    assert len(ai_rows) == 16
    for r in ai_rows:
        assert ws[f"I{r}"].value == f"=F{r}*H{r}"
        assert isinstance(ws[f"F{r}"].value, (int, float)) and isinstance(ws[f"H{r}"].value, (int, float))
    infra = [
        ws[f"I{r}"].value
        for r in range(2, ws.max_row + 1)
        if ws[f"A{r}"].value == "Scale" and ws[f"B{r}"].value == "Infrastructure"
    ]
    assert sum(infra) == 637
