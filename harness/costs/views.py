"""The report's views as plain tables: what every output format shows, defined once."""

from __future__ import annotations

from harness.costs.report import CostReport
from harness.costs.table import Column, Table, format_cell
from harness.costs.views_context import assumption_tables, projection_tables


def basis(projected: bool) -> str:
    return "projected: seed totals, our lines" if projected else "seed tables 10.1-10.3"


def summary_table(report: CostReport) -> Table:
    rows = []
    for costs in report.tiers:
        seed = report.model.tier(costs.tier_id).seed_totals
        rows.append(
            (
                costs.tier_name,
                basis(costs.projected),
                costs.agents,
                costs.humans,
                costs.infrastructure_usd_month,
                costs.ai_usd_month,
                costs.total_usd_month,
                seed.total_usd_month,
                costs.total_usd_month - seed.total_usd_month,
            )
        )
    return Table(
        key="summary",
        title="Monthly cost per tier",
        description="Infrastructure (fixed) and AI API (variable) cost per month, beside the total the seed states.",
        columns=(
            Column("Tier"),
            Column("Basis"),
            Column("Agents", "int"),
            Column("Humans", "int"),
            Column("Infrastructure (USD/mo)", "money"),
            Column("AI APIs (USD/mo)", "money"),
            Column("Total (USD/mo)", "money"),
            Column("Seed total (USD/mo)", "money"),
            Column("Model minus seed (USD/mo)", "money"),
        ),
        rows=tuple(rows),
    )


def lines_table(report: CostReport) -> Table:
    rows = []
    for costs in report.tiers:
        for line in costs.lines:
            rows.append(
                (
                    costs.tier_name,
                    "Infrastructure" if line.category == "infrastructure" else "AI APIs",
                    line.name,
                    line.provider,
                    line.spec,
                    line.quantity,
                    "instances"
                    if line.category == "infrastructure"
                    else "LLM calls/month"
                    if line.role == "guardrail"
                    else "calls/month",
                    line.unit_price_usd if line.category == "ai" else None,
                    line.cost_usd_month,
                    line.behaviour,
                    f"{line.source_id} ({line.source_kind})",
                    line.note,
                )
            )
    return Table(
        key="lines",
        title="Line items",
        description="Every line of every tier. AI cost = calls x price per call; infrastructure is priced per line.",
        columns=(
            Column("Tier"),
            Column("Category"),
            Column("Line"),
            Column("Provider / model"),
            Column("Spec"),
            Column("Quantity", "int"),
            Column("Unit"),
            Column("Price per call (USD)", "price"),
            Column("Monthly cost (USD)", "money"),
            Column("Cost type"),
            Column("Source"),
            Column("Note"),
        ),
        rows=tuple(rows),
    )


def unit_table(report: CostReport) -> Table:
    return Table(
        key="unit_economics",
        title="Unit economics",
        description=(
            "Whole monthly bill per agent and per human (each divides the same bill); guardrail spend per"
            " 1,000 evaluations requested; fixed = infrastructure, variable = per-call AI."
        ),
        columns=(
            Column("Tier"),
            Column("Per agent (USD/mo)", "unit_money"),
            Column("Per human (USD/mo)", "unit_money"),
            Column("AI per agent (USD/mo)", "unit_money"),
            Column("Guardrails per 1,000 evaluations (USD)", "unit_money"),
            Column("Fixed (USD/mo)", "money"),
            Column("Variable (USD/mo)", "money"),
            Column("Fixed share", "pct"),
        ),
        rows=tuple(
            (
                u.tier_name,
                u.cost_per_agent_usd_month,
                u.cost_per_human_usd_month,
                u.ai_cost_per_agent_usd_month,
                u.guardrail_usd_per_1k_evaluations,
                u.fixed_usd_month,
                u.variable_usd_month,
                u.fixed_share,
            )
            for u in report.unit_economics
        ),
    )


def scenarios_table(report: CostReport) -> Table:
    """One row per scenario, the monthly saving per tier side by side (blank: does not apply)."""
    tiers = report.tiers
    rows = []
    for scenario in report.model.scenarios:
        by_tier = {r.tier_id: r for r in report.scenarios if r.scenario_id == scenario.id}
        savings = tuple(by_tier[c.tier_id].saving_usd_month if c.tier_id in by_tier else None for c in tiers)
        rows.append((scenario.name, scenario.lever, report.model.sources[scenario.source].kind, *savings))
    return Table(
        key="what_ifs",
        title="What-ifs: the seed's cost levers",
        description="Monthly saving of each lever against the plan (negative: costs more). " + _rates_note(report),
        columns=(
            Column("Scenario"),
            Column("Lever"),
            Column("Source"),
            *(Column(f"Saving, {c.tier_name} (USD/mo)", "money") for c in tiers),
        ),
        rows=tuple(rows),
    )


def scenario_details_table(report: CostReport) -> Table:
    return Table(
        key="what_if_details",
        title="What-ifs in detail",
        description="AI and total monthly cost of each tier under each scenario, beside the plan.",
        columns=(
            Column("Scenario"),
            Column("Tier"),
            Column("AI, plan (USD/mo)", "money"),
            Column("AI, what-if (USD/mo)", "money"),
            Column("Total, plan (USD/mo)", "money"),
            Column("Total, what-if (USD/mo)", "money"),
            Column("Saving (USD/mo)", "money"),
            Column("Saving share", "pct"),
        ),
        rows=tuple(
            (
                r.scenario_name,
                r.tier_name,
                r.base_ai_usd_month,
                r.ai_usd_month,
                r.base_total_usd_month,
                r.total_usd_month,
                r.saving_usd_month,
                r.saving_share,
            )
            for r in report.scenarios
        ),
    )


def sensitivity_table(report: CostReport) -> Table:
    swing = format(report.swing_pct.normalize(), "f")
    rows = [
        (
            bar.tier_name,
            bar.driver,
            bar.low_total_usd_month,
            bar.base_total_usd_month,
            bar.high_total_usd_month,
            bar.range_usd_month,
        )
        for bars in report.tornados
        for bar in bars
    ]
    return Table(
        key="sensitivity",
        title=f"Sensitivity: each driver -{swing} % / +{swing} %",
        description="Total monthly cost with one driver moved at a time, widest range first (the tornado charts).",
        columns=(
            Column("Tier"),
            Column("Driver"),
            Column(f"Total at -{swing} % (USD/mo)", "money"),
            Column("Total, plan (USD/mo)", "money"),
            Column(f"Total at +{swing} % (USD/mo)", "money"),
            Column("Range (USD/mo)", "money"),
        ),
        rows=tuple(rows),
    )


def comparison_table(report: CostReport) -> Table | None:
    c = report.comparison
    if c is None:
        return None
    rows = []
    for t in c.tiers:
        rows.append((t.tier_name, "Tier total", t.previous_usd_month, t.current_usd_month, t.diff_usd_month, ""))
        rows.extend(
            (t.tier_name, line.label, line.previous_usd_month, line.current_usd_month, line.diff_usd_month, line.change)
            for line in t.lines
            if line.change != "unchanged"
        )
    return Table(
        key="comparison",
        title="Change since the previous report",
        description=(
            f"Against {c.previous_label} (generated {c.previous_generated_at or 'unknown'}); unchanged lines omitted."
        ),
        columns=(
            Column("Tier"),
            Column("Line"),
            Column("Previous (USD/mo)", "money"),
            Column("Now (USD/mo)", "money"),
            Column("Difference (USD/mo)", "money"),
            Column("Change"),
        ),
        rows=tuple(rows),
    )


def all_tables(report: CostReport) -> tuple[Table, ...]:
    """Every view, in reading order."""
    tables = [summary_table(report), unit_table(report)]
    compared = comparison_table(report)
    if compared is not None:
        tables.append(compared)
    tables.extend(projection_tables(report))
    tables += [scenarios_table(report), scenario_details_table(report), sensitivity_table(report), lines_table(report)]
    tables.extend(assumption_tables(report))
    return tuple(tables)


def _rates_note(report: CostReport) -> str:
    """Say which tiers already assume guardrail levers, since a scenario sets a rate, not adds to it."""
    assumed = [
        f"{t.name} ({format_cell(t.assumptions.guardrail_cache_hit_rate, 'pct')} cache hits,"
        f" {format_cell(t.assumptions.guardrail_prefilter_rate, 'pct')} pre-filtered)"
        for t in report.model.tiers
        if t.assumptions.guardrail_cache_hit_rate or t.assumptions.guardrail_prefilter_rate
    ]
    if not assumed:
        return "A scenario's rate replaces the tier's (zero in every tier)."
    return (
        "A scenario's rate replaces the tier's, it does not add to it; already assumed: "
        + "; ".join(assumed)
        + ". Lower rates cost more there."
    )
