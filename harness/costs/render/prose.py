"""The sentences every format opens with: what the report is, how to read it, what stands out.

Every finding is computed from the report (none is written by hand), so it stays true when the
model changes.
"""

from __future__ import annotations

from decimal import Decimal

from harness.costs.economics import UNIT_PLACES, round_usd
from harness.costs.measurements import EMULATOR_CAVEAT
from harness.costs.report import CostReport
from harness.costs.table import format_cell


def headline(report: CostReport) -> str:
    totals = ", ".join(
        f"{c.tier_name}{' (projected)' if c.projected else ''} {format_cell(c.total_usd_month, 'money')}"
        for c in report.tiers
    )
    return f"Monthly cost by tier: {totals}. Generated {report.generated_at} from `{report.model_path}`."


def reading_notes(report: CostReport) -> list[str]:
    notes = [
        (
            "All money is USD per month, computed with exact decimals and shown rounded half-up to cents"
            " (unit costs to 4 decimal places)."
        ),
        (
            "Tiers other than those marked projected reproduce the seed's tables 10.1-10.3 line by line;"
            " the seed prints rounded totals (its ~$13 AI at MVP is $12.80 here)."
        ),
    ]
    for costs in report.tiers:
        if costs.projected:
            seed = report.model.tier(costs.tier_id).seed_totals
            seed_infra, seed_ai = (
                format_cell(seed.infrastructure_usd_month, "dollars"),
                format_cell(seed.ai_usd_month, "dollars"),
            )
            notes.append(
                f"{costs.tier_name} is projected: the seed gives only totals (~{seed_infra} infrastructure,"
                f" ~{seed_ai} AI); the line items are ours and give"
                f" {format_cell(costs.infrastructure_usd_month, 'money')} and {format_cell(costs.ai_usd_month, 'money')}."
            )
    notes += [
        "Fixed cost = infrastructure (paid whatever the traffic); variable = AI API calls (paid per call).",
        'Every line names its source: "seed" is the DevOps plan\'s number, "ours" is the perf lab\'s dated assumption.',
    ]
    return notes


def findings(report: CostReport) -> list[str]:
    out: list[str] = []
    crossover = next((c for c in report.tiers if c.ai_usd_month > c.infrastructure_usd_month), None)
    if crossover is not None:
        share = crossover.ai_usd_month / crossover.total_usd_month
        out.append(
            f"AI APIs overtake infrastructure at {crossover.tier_name}:"
            f" {format_cell(share, 'pct')} of its {format_cell(crossover.total_usd_month, 'money')} bill."
        )
    first, last = report.unit_economics[0], report.unit_economics[-1]
    out.append(
        f"Cost per agent falls from {format_cell(first.cost_per_agent_usd_month, 'unit_money')} ({first.tier_name})"
        f" to {format_cell(last.cost_per_agent_usd_month, 'unit_money')} ({last.tier_name}) a month."
    )
    for costs, bars in zip(report.tiers, report.tornados):
        results = [r for r in report.scenarios if r.tier_id == costs.tier_id]
        if not results or not bars:
            continue
        best = max(results, key=lambda r: r.saving_usd_month)
        widest = bars[0]
        out.append(
            f'{costs.tier_name}: the biggest lever is "{best.scenario_name}" (saves'
            f" {format_cell(best.saving_usd_month, 'money')}, {format_cell(best.saving_share, 'pct')});"
            f' the most sensitive driver is "{widest.driver}" (±{format(report.swing_pct.normalize(), "f")} % moves'
            f" the total by {format_cell(widest.range_usd_month, 'money')})."
        )
    out += projection_flags(report)
    return out


def projection_flags(report: CostReport) -> list[str]:
    p = report.projection
    if p is None:
        return []
    flags = []
    for t in p.tiers:
        for label, check in (("API", t.api), ("Workers", t.workers)):
            if check is not None and check.status != "within plan":
                flags.append(
                    f"{t.tier_name} {label}: {check.status} (plan {check.planned_instances},"
                    f" measured need {check.needed_instances})."
                )
    priced: dict[str, list[str]] = {}
    emulated = f" ({EMULATOR_CAVEAT})" if p.measurements.from_emulator else ""
    for t in p.tiers:
        if t.guardrail_status in ("above plan", "below plan"):
            priced.setdefault(t.guardrail_status, []).append(t.tier_name)
    for status, tiers in priced.items():
        measured = round_usd(p.measured_cost_per_eval_usd or Decimal(0), UNIT_PLACES / 100).normalize()
        flags.append(
            f"Guardrail cost per LLM call is {status} ({', '.join(tiers)}): measured ${measured}"
            f" vs plan ${p.planned_cost_per_eval_usd}{emulated}."
        )
    if not flags:
        flags.append(f"Run {p.measurements.source_label}: every sized line is within plan.")
    flags += [f"Caveat on run {p.measurements.source_label}: {note}." for note in p.measurements.notes]
    return flags
