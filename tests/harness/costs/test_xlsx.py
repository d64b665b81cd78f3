"""The XLSX read back: values cached beside every formula (openpyxl data_only=True), numbers
stored as numbers, and formulas that recalculate when a price changes (the `formulas` package, a
pure-Python Excel evaluator; no LibreOffice)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import formulas
import pytest
from openpyxl import load_workbook

from harness.costs.model import CostModel
from harness.costs.render import FORMATS
from harness.costs.report import CostReport, build_report

TOTALS = {"MVP": 64.80, "Growth": 329.0, "Scale": 1917.0, "Enterprise": 12850.0}
NEW_PRICE = 0.006  # claude-haiku per call, twice the seed's
_NUMBER_AS_TEXT = re.compile(r"^\s*[-+]?\$?[\d,]*\.?\d+\s*%?\s*$")


@pytest.fixture(scope="module")
def path(report: CostReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "costs.xlsx"
    out.write_bytes(FORMATS["xlsx"].render(report))
    return out


@pytest.fixture(scope="module")
def cached(path: Path) -> Any:
    return load_workbook(path, data_only=True)


@pytest.fixture(scope="module")
def written(path: Path) -> Any:
    return load_workbook(path)


@pytest.fixture(scope="module")
def excel(path: Path) -> Any:
    return formulas.ExcelModel().loads(str(path)).finish()


def _value(solution: Any, path: Path, sheet: str, cell: str) -> float:
    return float(solution[f"'[{path.name}]{sheet.upper()}'!{cell}"].value[0][0])


def _formula_cells(written: Any) -> list[tuple[str, str]]:
    return [
        (ws.title, cell.coordinate)
        for ws in written.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]


def test_sheets(written: Any) -> None:
    assert written.sheetnames == [
        "Read me", "Summary", "Unit economics", "Lines", "Measured", "Projection", "What-ifs", "What-if details",
        "Sensitivity", "Tier assumptions", "Load assumptions", "Price book", "Sources",
    ]  # fmt: skip


def test_every_formula_carries_its_value(written: Any, cached: Any) -> None:
    cells = _formula_cells(written)
    assert len(cells) > 64
    missing = [(sheet, ref) for sheet, ref in cells if not isinstance(cached[sheet][ref].value, (int, float))]
    assert missing == []


def test_cached_values_are_the_reports_numbers(report: CostReport, written: Any, cached: Any) -> None:
    summary = cached["Summary"]
    assert {summary[f"A{r}"].value: summary[f"G{r}"].value for r in range(2, 6)} == pytest.approx(TOTALS)
    assert written["Summary"]["G2"].value.startswith("=")
    assert written["Summary"]["G2"].number_format.startswith('"$"#,##0.00')
    units = cached["Unit economics"]
    assert (units["B5"].value, units["C5"].value, units["G5"].value) == pytest.approx((0.1285, 0.0257, 1.35))
    assert written["Unit economics"]["J2"].number_format == "0.0%"
    details = cached["What-if details"]
    for r, result in enumerate(report.scenarios, start=2):
        assert (details[f"A{r}"].value, details[f"B{r}"].value) == (result.scenario_name, result.tier_name)
        assert details[f"G{r}"].value == pytest.approx(float(result.saving_usd_month))
    bars = [bar for tier_bars in report.tornados for bar in tier_bars]
    sens = cached["Sensitivity"]
    for r, bar in enumerate(bars, start=2):
        got = [sens[f"{c}{r}"].value for c in "CDEF"]
        want = [bar.low_total_usd_month, bar.base_total_usd_month, bar.high_total_usd_month, bar.range_usd_month]
        assert got == pytest.approx([float(v) for v in want]), bar.driver


def test_no_number_is_stored_as_text(cached: Any) -> None:
    texts = [
        (ws.title, cell.coordinate, cell.value)
        for ws in cached.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and _NUMBER_AS_TEXT.match(cell.value)
    ]
    assert texts == []
    load = {r[0].value: r[1].value for r in cached["Load assumptions"].iter_rows(min_row=2)}
    assert load["Hours per month"] == 730
    assert [name for name, value in load.items() if not isinstance(value, (int, float))] == [
        "Minimum instances per sized service"  # "mvp 2, ..." is text
    ]
    measured = {r[0].value: r[1].value for r in cached["Measured"].iter_rows(min_row=5)}
    assert measured["Cost per guardrail LLM call, plan (USD)"] == pytest.approx(0.003)
    assert isinstance(measured["Input tokens per guardrail LLM call"], (int, float))


def test_formulas_recalculate_to_the_cached_values(excel: Any, path: Path, cached: Any, written: Any) -> None:
    solution = excel.calculate()
    for sheet, ref in _formula_cells(written):
        assert _value(solution, path, sheet, ref) == pytest.approx(cached[sheet][ref].value, abs=1e-9), (sheet, ref)


def test_a_price_edit_flows_to_what_ifs_and_sensitivity(
    excel: Any, path: Path, model: CostModel, written: Any, cached: Any
) -> None:
    row = list(model.price_book).index("claude-haiku") + 2
    assert written["Price book"][f"A{row}"].value == "claude-haiku"
    solution = excel.calculate(inputs={f"'[{path.name}]PRICE BOOK'!C{row}": NEW_PRICE})
    book = dict(model.price_book)
    book["claude-haiku"] = book["claude-haiku"].model_copy(update={"cost_usd_per_call": Decimal(str(NEW_PRICE))})
    edited = build_report(model.model_copy(update={"price_book": book}), model_path="edited")

    saving = {(r.scenario_name, r.tier_name): float(r.saving_usd_month) for r in edited.scenarios}
    details = written["What-if details"]
    for r in range(2, details.max_row + 1):
        key = (details[f"A{r}"].value, details[f"B{r}"].value)
        assert _value(solution, path, "What-if details", f"G{r}") == pytest.approx(saving[key], abs=1e-6), key
    whatifs = written["What-ifs"]
    growth = next(c for c in range(4, whatifs.max_column + 1) if "Growth" in whatifs.cell(1, c).value)
    fine_tuned = next(r for r in range(2, whatifs.max_row + 1) if whatifs[f"A{r}"].value.startswith("Fine-tuned"))
    got = _value(solution, path, "What-ifs", whatifs.cell(fine_tuned, growth).coordinate)
    assert got == pytest.approx(saving[(whatifs[f"A{fine_tuned}"].value, "Growth")])
    assert got != pytest.approx(cached["What-ifs"].cell(fine_tuned, growth).value)  # it did move

    bars = {(b.tier_name, b.driver): b for tier_bars in edited.tornados for b in tier_bars}
    sens = written["Sensitivity"]
    for r in range(2, sens.max_row + 1):
        bar = bars[(sens[f"A{r}"].value, sens[f"B{r}"].value)]
        got = [_value(solution, path, "Sensitivity", f"{c}{r}") for c in "CDEF"]
        want = [bar.low_total_usd_month, bar.base_total_usd_month, bar.high_total_usd_month, bar.range_usd_month]
        assert got == pytest.approx([float(v) for v in want], abs=1e-6), (bar.tier_name, bar.driver)
