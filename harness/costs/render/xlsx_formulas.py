"""The XLSX sheets that are formulas over the inputs, each written with its computed value cached
(xlsxwriter's `write_formula(..., value)`), so previews and non-calculating readers show numbers.

Inputs a finance reader edits: prices per call ('Price book'!C), infrastructure line costs
(Lines!I of infrastructure rows), agents and guardrail rates ('Tier assumptions'). Everything
else follows:
  Lines           price per call = the Price book cell; guardrail LLM calls = evaluations x
                  (1 - cache) x (1 - pre-filter); AI cost = quantity x price
  Summary         SUMIFS over Lines by tier and category; total = their sum
  Unit economics  ratios of Summary cells; guardrail and fixed/variable sums are SUMIFS over Lines
  What-if details each lever re-prices the tier's AI lines from the Lines cells
  What-ifs        the savings of What-if details, one column per tier
  Sensitivity     the tier's total with one driver moved (Summary and Lines cells x the swing)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from harness.costs.economics import Adjustments
from harness.costs.model import Tier
from harness.costs.report import CostReport
from harness.costs.table import Kind, Table
from harness.costs.views import (
    basis,
    lines_table,
    scenario_details_table,
    scenarios_table,
    sensitivity_table,
)
from harness.costs.whatif import MAX_RATE, scenario_adjustments

Put = Callable[[Worksheet, int, int, object, Kind], None]
PutFormula = Callable[[Worksheet, int, int, str, object, Kind], None]

TA = "'Tier assumptions'"
PB = "'Price book'"
WD = "'What-if details'"


@dataclass(frozen=True)
class Cells:
    """Where the inputs sit: 1-based rows of each price key, tier and (tier, line)."""

    price_rows: dict[str, int]
    tier_rows: dict[str, int]
    line_rows: dict[tuple[str, str], int]
    last_line_row: int

    def lines(self, col: str) -> str:
        return f"Lines!${col}$2:${col}${self.last_line_row}"


def cells_of(report: CostReport) -> Cells:
    line_rows: dict[tuple[str, str], int] = {}
    row = 2
    for costs in report.tiers:
        for line in costs.lines:
            line_rows[(costs.tier_id, line.line_id)] = row
            row += 1
    return Cells(
        price_rows={key: i for i, key in enumerate(report.model.price_book, start=2)},
        tier_rows={t.id: i for i, t in enumerate(report.model.tiers, start=2)},
        line_rows=line_rows,
        last_line_row=row - 1,
    )


def write_lines(ws: Worksheet, report: CostReport, cells: Cells, put: Put, formula: PutFormula) -> Table:
    table = lines_table(report)
    rows = iter(table.rows)
    for costs in report.tiers:
        tier = report.model.tier(costs.tier_id)
        t = cells.tier_rows[costs.tier_id]
        for line in costs.lines:
            r = cells.line_rows[(costs.tier_id, line.line_id)]
            values = next(rows)
            for c, (value, col) in enumerate(zip(values, table.columns)):
                put(ws, r - 1, c, value, col.kind)
            if line.category != "ai":
                continue
            op = next(op for op in tier.ai_operations if op.id == line.line_id)
            formula(ws, r - 1, 7, f"={PB}!$C${cells.price_rows[op.price]}", line.unit_price_usd, "price")
            if line.role == "guardrail":
                formula(ws, r - 1, 5, f"={TA}!$D${t}*(1-{TA}!$E${t})*(1-{TA}!$F${t})", line.quantity, "int")
            formula(ws, r - 1, 8, f"=F{r}*H{r}", line.cost_usd_month, "money")
    return table


def _sumifs(cells: Cells, tier_cell: str, column: str, criteria: str) -> str:
    return f"SUMIFS({cells.lines('I')},{cells.lines('A')},{tier_cell},{cells.lines(column)},{criteria})"


def write_summary(ws: Worksheet, report: CostReport, cells: Cells, put: Put, formula: PutFormula) -> None:
    for r, costs in enumerate(report.tiers, start=2):
        seed = report.model.tier(costs.tier_id).seed_totals
        put(ws, r - 1, 0, costs.tier_name, "text")
        put(ws, r - 1, 1, basis(costs.projected), "text")
        formula(ws, r - 1, 2, f"={TA}!$B${cells.tier_rows[costs.tier_id]}", costs.agents, "int")
        formula(ws, r - 1, 3, f"={TA}!$C${cells.tier_rows[costs.tier_id]}", costs.humans, "int")
        formula(ws, r - 1, 4, "=" + _sumifs(cells, f"$A{r}", "B", '"Infrastructure"'),
                costs.infrastructure_usd_month, "money")
        formula(ws, r - 1, 5, "=" + _sumifs(cells, f"$A{r}", "B", '"AI APIs"'), costs.ai_usd_month, "money")
        formula(ws, r - 1, 6, f"=E{r}+F{r}", costs.total_usd_month, "money")
        put(ws, r - 1, 7, seed.total_usd_month, "money")
        formula(ws, r - 1, 8, f"=G{r}-H{r}", costs.total_usd_month - seed.total_usd_month, "money")


def write_unit_economics(ws: Worksheet, report: CostReport, cells: Cells, put: Put, formula: PutFormula) -> None:
    for r, (costs, u) in enumerate(zip(report.tiers, report.unit_economics), start=2):
        s = r  # Summary lists the tiers in the same order, one row each
        guardrail = next(op.operation for op in report.model.tier(costs.tier_id).ai_operations if op.role == "guardrail")
        guardrail_cost = sum((line.cost_usd_month for line in costs.lines if line.role == "guardrail"), Decimal(0))
        put(ws, r - 1, 0, costs.tier_name, "text")
        formula(ws, r - 1, 1, f"=Summary!G{s}/Summary!C{s}", u.cost_per_agent_usd_month, "unit_money")
        formula(ws, r - 1, 2, f"=IF(Summary!D{s}=0,0,Summary!G{s}/Summary!D{s})", u.cost_per_human_usd_month,
                "unit_money")
        formula(ws, r - 1, 3, f"=Summary!F{s}/Summary!C{s}", u.ai_cost_per_agent_usd_month, "unit_money")
        formula(ws, r - 1, 4, f"={TA}!$D${cells.tier_rows[costs.tier_id]}", costs.guardrail_evaluations_month, "int")
        formula(ws, r - 1, 5, "=" + _sumifs(cells, f"$A{r}", "C", f'"{guardrail}"'), guardrail_cost, "money")
        formula(ws, r - 1, 6, f"=IF(E{r}=0,0,F{r}/E{r}*1000)", u.guardrail_usd_per_1k_evaluations, "unit_money")
        formula(ws, r - 1, 7, "=" + _sumifs(cells, f"$A{r}", "J", '"fixed"'), u.fixed_usd_month, "money")
        formula(ws, r - 1, 8, "=" + _sumifs(cells, f"$A{r}", "J", '"variable"'), u.variable_usd_month, "money")
        formula(ws, r - 1, 9, f"=IF(Summary!G{s}=0,0,H{r}/Summary!G{s})", u.fixed_share, "pct")


def _what_if_ai(report: CostReport, tier: Tier, adjust: Adjustments, cells: Cells) -> str:
    """The tier's AI cost under a lever, as a formula over the Lines and Tier assumptions cells."""
    t = cells.tier_rows[tier.id]
    replaced = adjust.self_hosted.replaces_operations if adjust.self_hosted else frozenset()
    terms = []
    for op in tier.ai_operations:
        if op.id in replaced:
            continue
        r = cells.line_rows[(tier.id, op.id)]
        quantity = f"Lines!$F${r}"
        if op.role == "guardrail" and (adjust.cache_hit_rate is not None or adjust.prefilter_rate is not None):
            cache = f"{TA}!$E${t}" if adjust.cache_hit_rate is None else _num(adjust.cache_hit_rate)
            prefilter = f"{TA}!$F${t}" if adjust.prefilter_rate is None else _num(adjust.prefilter_rate)
            quantity = f"{TA}!$D${t}*(1-{cache})*(1-{prefilter})"
        factor = adjust.price_factors.get(op.id, Decimal(1))
        terms.append(f"{quantity}*Lines!$H${r}" + ("" if factor == 1 else f"*{_num(factor)}"))
    if adjust.self_hosted is not None:
        terms.append(_num(adjust.self_hosted.cost_usd_month))
    return "+".join(terms) or "0"


def write_what_if_details(ws: Worksheet, report: CostReport, cells: Cells, put: Put, formula: PutFormula) -> Table:
    table = scenario_details_table(report)
    adjustments = {s.id: scenario_adjustments(s) for s in report.model.scenarios}
    for r, result in enumerate(report.scenarios, start=2):
        s = cells.tier_rows[result.tier_id]  # Summary rows follow the tier order too
        ai = _what_if_ai(report, report.model.tier(result.tier_id), adjustments[result.scenario_id], cells)
        put(ws, r - 1, 0, result.scenario_name, "text")
        put(ws, r - 1, 1, result.tier_name, "text")
        formula(ws, r - 1, 2, f"=Summary!F{s}", result.base_ai_usd_month, "money")
        formula(ws, r - 1, 3, "=" + ai, result.ai_usd_month, "money")
        formula(ws, r - 1, 4, f"=Summary!G{s}", result.base_total_usd_month, "money")
        formula(ws, r - 1, 5, f"=Summary!E{s}+D{r}", result.total_usd_month, "money")
        formula(ws, r - 1, 6, f"=E{r}-F{r}", result.saving_usd_month, "money")
        formula(ws, r - 1, 7, f"=IF(E{r}=0,0,G{r}/E{r})", result.saving_share, "pct")
    return table


def write_what_ifs(ws: Worksheet, report: CostReport, put: Put, formula: PutFormula) -> Table:
    table = scenarios_table(report)
    detail_rows = {(r.scenario_id, r.tier_id): i for i, r in enumerate(report.scenarios, start=2)}
    for r, (scenario, row) in enumerate(zip(report.model.scenarios, table.rows), start=2):
        for c in range(3):
            put(ws, r - 1, c, row[c], table.columns[c].kind)
        for c, (costs, saving) in enumerate(zip(report.tiers, row[3:]), start=3):
            found = detail_rows.get((scenario.id, costs.tier_id))
            if found is not None:
                formula(ws, r - 1, c, f"={WD}!G{found}", saving, "money")
    return table


def write_sensitivity(ws: Worksheet, report: CostReport, cells: Cells, put: Put, formula: PutFormula) -> Table:
    table = sensitivity_table(report)
    step = report.swing_pct / 100
    r = 2
    for bars in report.tornados:
        for bar in bars:
            tier = report.model.tier(bar.tier_id)
            total = _driver_totals(tier, cells)[bar.driver]
            put(ws, r - 1, 0, bar.tier_name, "text")
            put(ws, r - 1, 1, bar.driver, "text")
            formula(ws, r - 1, 2, "=" + total(1 - step), bar.low_total_usd_month, "money")
            formula(ws, r - 1, 3, f"=Summary!G{cells.tier_rows[tier.id]}", bar.base_total_usd_month, "money")
            formula(ws, r - 1, 4, "=" + total(1 + step), bar.high_total_usd_month, "money")
            formula(ws, r - 1, 5, f"=ABS(E{r}-C{r})", bar.range_usd_month, "money")
            r += 1
    return table


def _driver_totals(tier: Tier, cells: Cells) -> dict[str, Callable[[Decimal], str]]:
    """The tier's total with one driver x f, as formulas (mirrors whatif.tornado)."""
    s = t = cells.tier_rows[tier.id]  # Summary and Tier assumptions list the tiers in the same order
    infra, ai, total = f"Summary!$E${s}", f"Summary!$F${s}", f"Summary!$G${s}"
    drivers: dict[str, Callable[[Decimal], str]] = {
        "Agents (AI call volume)": lambda f: f"{infra}+{_num(f)}*{ai}",
        "Infrastructure prices": lambda f: f"{_num(f)}*{infra}+{ai}",
    }
    for op in tier.ai_operations:
        r = cells.line_rows[(tier.id, op.id)]
        drivers[f"Price: {op.operation}"] = lambda f, r=r: f"{total}+({_num(f)}-1)*Lines!$I${r}"
        if op.role == "guardrail":
            drivers.update(_rate_drivers(total, t, price=f"Lines!$H${r}", cost=f"Lines!$I${r}"))
    return drivers


def _rate_drivers(total: str, t: int, *, price: str, cost: str) -> dict[str, Callable[[Decimal], str]]:
    """The guardrail line re-priced with its cache or pre-filter rate x f (capped as whatif caps it)."""
    evals, cache, pre, cap = f"{TA}!$D${t}", f"{TA}!$E${t}", f"{TA}!$F${t}", _num(MAX_RATE)
    return {
        "Guardrail cache hit rate": (
            lambda f: f"{total}-{cost}+{evals}*(1-MIN({cache}*{_num(f)},{cap}))*(1-{pre})*{price}"
        ),
        "Guardrail pre-filter rate": (
            lambda f: f"{total}-{cost}+{evals}*(1-{cache})*(1-MIN({pre}*{_num(f)},{cap}))*{price}"
        ),
    }


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")
