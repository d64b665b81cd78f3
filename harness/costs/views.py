"""The report's views as plain tables: what every output format shows, defined once."""

from __future__ import annotations

from decimal import Decimal

from harness.costs.economics import round_usd
from harness.costs.report import CostReport
from harness.costs.table import Column, Table, format_cell


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


def assumption_tables(report: CostReport) -> tuple[Table, ...]:
    model = report.model
    load = model.load_assumptions
    tiers = Table(
        key="tier_assumptions",
        title="Tier assumptions",
        description="Who each tier serves and the guardrail levers already assumed in the plan.",
        columns=(
            Column("Tier"),
            Column("Agents", "int"),
            Column("Humans", "int"),
            Column("Guardrail evaluations/month", "int"),
            Column("Cache hit rate", "pct"),
            Column("Pre-filter rate", "pct"),
            Column("Source"),
            Column("Note"),
        ),
        rows=tuple(
            (
                t.name,
                t.assumptions.agents,
                t.assumptions.humans,
                costs.guardrail_evaluations_month,
                t.assumptions.guardrail_cache_hit_rate,
                t.assumptions.guardrail_prefilter_rate,
                f"{t.assumptions.source} ({model.sources[t.assumptions.source].kind})",
                " ".join(n for n in (t.note, t.assumptions.note) if n),
            )
            for t, costs in zip(model.tiers, report.tiers)
        ),
    )
    minimum = ", ".join(f"{k} {v}" for k, v in load.min_instances.items()) or "1 everywhere"
    loads = Table(
        key="load_assumptions",
        title="Load assumptions (for measured projections)",
        description=f"Ours, not the seed's ({load.source}). {load.note}",
        columns=(Column("Assumption"), Column("Value")),
        rows=(
            ("Hours per month", _plain(load.hours_per_month)),
            ("API requests per agent per month", _plain(load.api_requests_per_agent_month)),
            ("API requests per human per month", _plain(load.api_requests_per_human_month)),
            ("Peak factor (busiest hour / average)", _plain(load.peak_factor)),
            ("Target utilisation of measured capacity", _plain(load.target_utilisation)),
            ("Over-provisioned when planned >= needed x", _plain(load.over_provision_ratio)),
            ("Cost per call within plan when within +-", _plain(load.cost_tolerance)),
            ("Minimum instances per sized service", minimum),
        ),
    )
    prices = Table(
        key="prices",
        title="Price book",
        description="Price per call is what the tiers use; token prices only price tokens a run measured.",
        columns=(
            Column("Key"),
            Column("Model"),
            Column("Price per call (USD)", "price"),
            Column("Input (USD/MTok)", "price"),
            Column("Output (USD/MTok)", "price"),
            Column("Per-call source"),
            Column("Token-price source"),
        ),
        rows=tuple(
            (
                key,
                p.model,
                p.cost_usd_per_call,
                p.token_prices.input_usd_per_mtok if p.token_prices else None,
                p.token_prices.output_usd_per_mtok if p.token_prices else None,
                _source(report, p.source),
                _source(report, p.token_prices.source) if p.token_prices else "",
            )
            for key, p in model.price_book.items()
        ),
    )
    sources = Table(
        key="sources",
        title="Sources",
        description="seed = the DevOps plan's own numbers; ours = the perf lab's assumption or projection.",
        columns=(Column("Key"), Column("Kind"), Column("What"), Column("As of")),
        rows=tuple((key, s.kind, s.title, s.as_of) for key, s in model.sources.items()),
    )
    return tiers, loads, prices, sources


def projection_tables(report: CostReport) -> tuple[Table, ...]:
    p = report.projection
    if p is None:
        return ()
    m = p.measurements
    measured = Table(
        key="measurements",
        title="Measured in the run",
        description=f"From run {m.source_label}.",
        columns=(Column("Measure"), Column("Value")),
        rows=(
            ("Run", m.source_label),
            ("API capacity per instance, p95 within budget (req/s)", f"{m.api_capacity_rps:,.1f}"),
            ("p95 budget (ms)", f"{m.p95_budget_ms:g}"),
            ("p95 at that rate (ms)", "n/a" if m.api_p95_ms is None else f"{m.api_p95_ms:g}"),
            (
                "Guardrail evaluations per second per worker (observed, a lower bound unless saturated)",
                "not measured" if m.guardrail_evals_per_s is None else f"{m.guardrail_evals_per_s:g}",
            ),
            ("Tokens per evaluation (input / output)", _tokens(m.eval_input_tokens, m.eval_output_tokens)),
            (
                "Cost per evaluation, measured (USD)",
                "not measured"
                if p.measured_cost_per_eval_usd is None
                else f"${_per_eval(p.measured_cost_per_eval_usd)}",
            ),
            ("Cost per evaluation, plan (USD)", f"${p.planned_cost_per_eval_usd}"),
            ("How the measured cost was obtained", p.cost_basis),
        ),
    )
    rows = []
    for t in p.tiers:
        api, workers = t.api, t.workers
        rows.append(
            (
                t.tier_name,
                t.peak_api_rps,
                api.planned_instances if api else None,
                api.needed_instances if api else None,
                api.status if api else "no API line",
                workers.planned_instances if workers else None,
                workers.needed_instances if workers else None,
                workers.status if workers else "not measured",
                t.planned_guardrail_usd_month,
                t.projected_guardrail_usd_month,
                t.guardrail_status,
                t.planned_total_usd_month,
                t.projected_total_usd_month,
            )
        )
    projected = Table(
        key="projection",
        title="Measured projection beside the plan",
        description=(
            "Instances needed at peak from the measured capacity, and guardrail spend at the measured cost per"
            " evaluation. Projected total = plan with those three lines replaced. " + _load_note(report)
        ),
        columns=(
            Column("Tier"),
            Column("Peak API req/s", "number"),
            Column("API planned", "int"),
            Column("API needed", "int"),
            Column("API"),
            Column("Workers planned", "int"),
            Column("Workers needed", "int"),
            Column("Workers"),
            Column("Guardrails, plan (USD/mo)", "money"),
            Column("Guardrails, measured (USD/mo)", "money"),
            Column("Guardrail cost"),
            Column("Total, plan (USD/mo)", "money"),
            Column("Total, projected (USD/mo)", "money"),
        ),
        rows=tuple(rows),
    )
    return measured, projected


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
        description=f"Against {c.previous_label} (generated {c.previous_generated_at or 'unknown'}); unchanged lines omitted.",
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


def _tokens(input_tokens: float | None, output_tokens: float | None) -> str:
    if input_tokens is None or output_tokens is None:
        return "not measured"
    return f"{input_tokens:,.0f} / {output_tokens:,.0f}"


def _per_eval(cost: Decimal) -> str:
    return _plain(round_usd(cost, Decimal("0.000001")))


def _load_note(report: CostReport) -> str:
    load = report.model.load_assumptions
    return (
        f"Load assumed (ours): {format_cell(load.api_requests_per_agent_month, 'int')} requests per agent and"
        f" {format_cell(load.api_requests_per_human_month, 'int')} per human a month, peak {_plain(load.peak_factor)}x"
        f" the average, instances run at {format_cell(load.target_utilisation, 'pct')} of measured capacity."
    )


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


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _source(report: CostReport, key: str) -> str:
    return f"{key} ({report.model.sources[key].kind}, {report.model.sources[key].as_of})"
