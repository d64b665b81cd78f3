"""The report as one tidy table (a pandas DataFrame): one row per priced line of a tier under a
scenario, so a spreadsheet or `pandas.read_csv` takes it as is and a pivot gives every total.

Scenarios: "plan" (the model's lines), "what-if: <name>" (each lever re-prices the tier's lines),
and the measured projection (the plan with the API, worker and guardrail lines as a run measured
them). Summing `monthly cost (USD)` over one scenario and tier gives that tier's total there.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pandas as pd

from harness.costs.economics import CostLine, TierCosts, tier_costs
from harness.costs.projection import Projection, SizingCheck, TierProjection
from harness.costs.report import CostReport
from harness.costs.whatif import scenario_adjustments

PLAN = "plan"
COLUMNS = (
    "scenario",
    "tier",
    "category",
    "line",
    "quantity",
    "unit",
    "unit price (USD)",
    "monthly cost (USD)",
    "cost type",
    "source",
)
_PLACES = 8  # enough for prices per call ($0.000329) without float noise (0.30000000000000004)


def what_if_label(name: str) -> str:
    return f"what-if: {name}"


def cost_frame(report: CostReport) -> pd.DataFrame:
    """Every line of every tier under the plan, each what-if, and the measured projection."""
    rows = [row for costs in report.tiers for row in _rows(PLAN, costs)]
    by_id = {t.id: t for t in report.model.tiers}
    for scenario in report.model.scenarios:
        adjust = scenario_adjustments(scenario)
        for tier in report.model.tiers:
            if scenario.tiers is None or tier.id in scenario.tiers:
                rows += _rows(what_if_label(scenario.name), tier_costs(report.model, by_id[tier.id], adjust=adjust))
    p = report.projection
    if p is not None:
        for costs, projected in zip(report.tiers, p.tiers):
            rows += _projected_rows(p.title, costs, projected, per_eval=p.measured_cost_per_eval_usd,
                                    measured_source=_measured_source(p))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("quantity", "unit price (USD)", "monthly cost (USD)"):
        frame[column] = frame[column].astype("float64").round(_PLACES)
    return frame


def _rows(scenario: str, costs: TierCosts) -> Iterator[tuple[object, ...]]:
    for line in costs.lines:
        yield _row(scenario, costs.tier_name, line, line.quantity, line.unit_price_usd, line.cost_usd_month,
                   f"{line.source_id} ({line.source_kind})")


def _row(
    scenario: str, tier: str, line: CostLine, quantity: Decimal, price: Decimal, cost: Decimal, source: str
) -> tuple[object, ...]:
    unit = (
        "instances"
        if line.category == "infrastructure"
        else "LLM calls/month"
        if line.role == "guardrail"
        else f"{line.unit}/month"
    )
    category = "Infrastructure" if line.category == "infrastructure" else "AI APIs"
    return (scenario, tier, category, line.name, float(quantity), unit, float(price), float(cost), line.behaviour,
            source)


def _projected_rows(
    scenario: str, costs: TierCosts, projected: TierProjection, *, per_eval: Decimal | None, measured_source: str
) -> Iterator[tuple[object, ...]]:
    sized: dict[str, SizingCheck | None] = {"api": projected.api, "worker": projected.workers}
    for line in costs.lines:
        check = sized.get(line.role)
        if check is not None:
            yield _row(scenario, costs.tier_name, line, Decimal(check.needed_instances), line.unit_price_usd,
                       check.projected_cost_usd_month, measured_source)
        elif line.role == "guardrail" and per_eval is not None and projected.projected_guardrail_usd_month is not None:
            yield _row(scenario, costs.tier_name, line, line.quantity, per_eval,
                       projected.projected_guardrail_usd_month, measured_source)
        else:
            yield _row(scenario, costs.tier_name, line, line.quantity, line.unit_price_usd, line.cost_usd_month,
                       f"{line.source_id} ({line.source_kind})")


def _measured_source(p: Projection) -> str:
    m = p.measurements
    return f"measured: run {m.source_label}" + (", LLM emulator, not a real model" if m.from_emulator else "")
