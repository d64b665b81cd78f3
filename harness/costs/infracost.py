"""The JSON cost report, in Infracost's shape, so tools that read Infracost output read ours.

Shape (money and prices are decimal strings, as Infracost writes them):

    {"version": "0.2", "kind": "bwperf.cost-report", "schemaVersion": 1, "currency": "USD",
     "timeGenerated": ..., "totalMonthlyCost": <sum of the projects, as Infracost sums them>,
     "projects": [{"name": "MVP", "metadata": {...},
                   "breakdown": {"totalMonthlyCost": ..., "resources": [
                       {"name": "infrastructure.api", "monthlyCost": ..., "metadata": {...},
                        "costComponents": [{"name", "unit", "price", "monthlyQuantity", "monthlyCost"}]}]}}],
     "unitEconomics": [...], "whatIfs": [...], "sensitivity": {...}, "projection": ..., "comparison": ...}

Each tier is one project. The tiers are alternatives, so read a project's total, not the sum.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from harness.costs.economics import UNIT_PLACES, CostLine, TierCosts, UnitEconomics, round_usd
from harness.costs.projection import SizingCheck
from harness.costs.whatif import ScenarioResult

if TYPE_CHECKING:
    from harness.costs.report import CostReport

REPORT_KIND = "bwperf.cost-report"
SCHEMA_VERSION = 1


def money(amount: Decimal) -> str:
    return str(round_usd(amount))


def exact(value: Decimal) -> str:
    """A price or quantity as exact decimal text without exponent (0.0001, not 1E-4)."""
    return format(value.normalize(), "f")


def resource_name(line: CostLine) -> str:
    return f"{line.category}.{line.line_id}"


def report_document(report: CostReport) -> dict[str, Any]:
    projects = [_project(report, costs) for costs in report.tiers]
    total = sum((costs.total_usd_month for costs in report.tiers), Decimal(0))
    return {
        "version": "0.2",
        "kind": REPORT_KIND,
        "schemaVersion": SCHEMA_VERSION,
        "currency": report.model.currency,
        "timeGenerated": report.generated_at,
        "model": {
            "path": report.model_path,
            "sources": {key: src.model_dump(mode="json") for key, src in report.model.sources.items()},
        },
        "totalMonthlyCost": money(total),
        "totalMonthlyCostNote": "Sum of the tier projects, as Infracost sums projects; tiers are alternatives.",
        "projects": projects,
        "unitEconomics": [_unit(u) for u in report.unit_economics],
        "whatIfs": [_scenario(r) for r in report.scenarios],
        "sensitivity": {
            "swingPct": exact(report.swing_pct),
            "tiers": [
                {
                    "name": bars[0].tier_name if bars else "",
                    "bars": [
                        {
                            "driver": bar.driver,
                            "baseMonthlyCost": money(bar.base_total_usd_month),
                            "lowMonthlyCost": money(bar.low_total_usd_month),
                            "highMonthlyCost": money(bar.high_total_usd_month),
                        }
                        for bar in bars
                    ],
                }
                for bars in report.tornados
            ],
        },
        "projection": _projection(report),
        "comparison": _comparison(report),
    }


def _project(report: CostReport, costs: TierCosts) -> dict[str, Any]:
    tier = report.model.tier(costs.tier_id)
    return {
        "name": costs.tier_name,
        "metadata": {
            "tierId": costs.tier_id,
            "agents": costs.agents,
            "humans": costs.humans,
            "projected": costs.projected,
            "guardrailEvaluationsMonthly": exact(costs.guardrail_evaluations_month),
            "seedTotals": {
                "infrastructureMonthlyCost": exact(tier.seed_totals.infrastructure_usd_month),
                "aiMonthlyCost": exact(tier.seed_totals.ai_usd_month),
                "totalMonthlyCost": exact(tier.seed_totals.total_usd_month),
                "roundedToUsd": exact(tier.seed_totals.rounded_to_usd),
            },
            "note": tier.note,
        },
        "breakdown": {
            "totalMonthlyCost": money(costs.total_usd_month),
            "resources": [_resource(line) for line in costs.lines],
        },
        "summary": {
            "infrastructureMonthlyCost": money(costs.infrastructure_usd_month),
            "aiMonthlyCost": money(costs.ai_usd_month),
            "fixedMonthlyCost": money(costs.fixed_usd_month),
            "variableMonthlyCost": money(costs.variable_usd_month),
        },
    }


def _resource(line: CostLine) -> dict[str, Any]:
    if line.category == "infrastructure":
        # The seed prices whole lines ("Web Service (x3) $20"), so the line is the priced unit.
        component = {
            "name": f"{line.name}: {line.spec}",
            "unit": "months",
            "price": exact(line.cost_usd_month),
            "monthlyQuantity": "1",
            "monthlyCost": money(line.cost_usd_month),
        }
    else:
        component = {
            "name": f"{line.provider} {line.unit}",
            "unit": line.unit,
            "price": exact(line.unit_price_usd),
            "monthlyQuantity": exact(line.quantity),
            "monthlyCost": money(line.cost_usd_month),
        }
    return {
        "name": resource_name(line),
        "resourceType": line.category,
        "metadata": {
            "label": line.name,
            "provider": line.provider,
            "spec": line.spec,
            "instances": int(line.quantity) if line.category == "infrastructure" else None,
            "behaviour": line.behaviour,
            "source": line.source_id,
            "sourceKind": line.source_kind,
            "note": line.note,
        },
        "monthlyCost": money(line.cost_usd_month),
        "costComponents": [component],
    }


def _unit(u: UnitEconomics) -> dict[str, Any]:
    return {
        "name": u.tier_name,
        "costPerAgentMonthly": str(round_usd(u.cost_per_agent_usd_month, UNIT_PLACES)),
        "costPerHumanMonthly": str(round_usd(u.cost_per_human_usd_month, UNIT_PLACES)),
        "aiCostPerAgentMonthly": str(round_usd(u.ai_cost_per_agent_usd_month, UNIT_PLACES)),
        "guardrailCostPer1kEvaluations": str(round_usd(u.guardrail_usd_per_1k_evaluations, UNIT_PLACES)),
        "fixedMonthlyCost": money(u.fixed_usd_month),
        "variableMonthlyCost": money(u.variable_usd_month),
        "fixedShare": str(round_usd(u.fixed_share, UNIT_PLACES)),
    }


def _scenario(r: ScenarioResult) -> dict[str, Any]:
    return {
        "id": r.scenario_id,
        "name": r.scenario_name,
        "tier": r.tier_name,
        "sourceKind": r.source_kind,
        "baseAiMonthlyCost": money(r.base_ai_usd_month),
        "aiMonthlyCost": money(r.ai_usd_month),
        "baseTotalMonthlyCost": money(r.base_total_usd_month),
        "totalMonthlyCost": money(r.total_usd_month),
        "savingMonthlyCost": money(r.saving_usd_month),
    }


def _projection(report: CostReport) -> dict[str, Any] | None:
    p = report.projection
    if p is None:
        return None
    m = p.measurements
    return {
        "run": m.source_label,
        "apiCapacityRps": m.api_capacity_rps,
        "p95BudgetMs": m.p95_budget_ms,
        "guardrailEvalsPerS": m.guardrail_evals_per_s,
        "costPerEvaluation": None if p.measured_cost_per_eval_usd is None else exact(p.measured_cost_per_eval_usd),
        "plannedCostPerEvaluation": exact(p.planned_cost_per_eval_usd),
        "costBasis": p.cost_basis,
        "heading": p.title,
        # "emulator": token counts and measured cost are the LLM emulator's, not a real model's.
        "llmSource": m.llm_source,
        "fromEmulator": m.from_emulator,
        "tiers": [
            {
                "name": t.tier_name,
                "peakApiRps": str(t.peak_api_rps.quantize(Decimal("0.01"))),
                "api": None if t.api is None else _sizing(t.api),
                "workers": None if t.workers is None else _sizing(t.workers),
                "guardrailStatus": t.guardrail_status,
                "plannedGuardrailMonthlyCost": money(t.planned_guardrail_usd_month),
                "projectedGuardrailMonthlyCost": None
                if t.projected_guardrail_usd_month is None
                else money(t.projected_guardrail_usd_month),
                "plannedTotalMonthlyCost": money(t.planned_total_usd_month),
                "projectedTotalMonthlyCost": money(t.projected_total_usd_month),
            }
            for t in p.tiers
        ],
    }


def _sizing(check: SizingCheck) -> dict[str, Any]:
    return {
        "line": check.line_name,
        "plannedInstances": check.planned_instances,
        "neededInstances": check.needed_instances,
        "status": check.status,
        "plannedMonthlyCost": money(check.planned_cost_usd_month),
        "projectedMonthlyCost": money(check.projected_cost_usd_month),
    }


def _comparison(report: CostReport) -> dict[str, Any] | None:
    c = report.comparison
    if c is None:
        return None
    return {
        "previous": c.previous_label,
        "previousTimeGenerated": c.previous_generated_at,
        "projects": [
            {
                "name": t.tier_name,
                "pastMonthlyCost": None if t.previous_usd_month is None else money(t.previous_usd_month),
                "monthlyCost": None if t.current_usd_month is None else money(t.current_usd_month),
                "diffMonthlyCost": money(t.diff_usd_month),
                "resources": [
                    {
                        "name": line.resource,
                        "label": line.label,
                        "change": line.change,
                        "pastMonthlyCost": None if line.previous_usd_month is None else money(line.previous_usd_month),
                        "monthlyCost": None if line.current_usd_month is None else money(line.current_usd_month),
                        "diffMonthlyCost": money(line.diff_usd_month),
                    }
                    for line in t.lines
                ],
            }
            for t in c.tiers
        ],
    }
