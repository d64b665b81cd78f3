"""The report's context views: the assumptions and sources behind the numbers, and what a run
measured with its projection onto the tiers."""

from __future__ import annotations

from decimal import Decimal

from harness.costs.economics import round_usd
from harness.costs.measurements import EMULATOR_CAVEAT, Measurements
from harness.costs.report import CostReport
from harness.costs.table import Column, Table, format_cell, plain_decimal


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
        columns=(Column("Assumption"), Column("Value", "decimal")),
        rows=(
            ("Hours per month", load.hours_per_month),
            ("API requests per agent per month", load.api_requests_per_agent_month),
            ("API requests per human per month", load.api_requests_per_human_month),
            ("Peak factor (busiest hour / average)", load.peak_factor),
            ("Target utilisation of measured capacity", load.target_utilisation),
            ("Over-provisioned when planned >= needed x", load.over_provision_ratio),
            ("Cost per call within plan when within +-", load.cost_tolerance),
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
        title="Measured in the run" + (f", {EMULATOR_CAVEAT}" if m.from_emulator else ""),
        description=f"From run {m.source_label}." + (_EMULATOR_NOTE if m.from_emulator else ""),
        columns=(Column("Measure"), Column("Value", "decimal")),
        rows=(
            ("Run", m.source_label),
            ("LLM that answered the guardrail", _llm(m)),
            (
                (
                    "API capacity per instance: best rate sustained with p95 within budget (req/s; a lower bound"
                    " unless the run pushed p95 up to the budget)"
                ),
                _round(m.api_capacity_rps, "0.1"),
            ),
            ("p95 budget (ms)", _round(m.p95_budget_ms, "0.001")),
            ("Worst p95 while sustaining that rate (ms)", _round(m.api_p95_ms, "0.001")),
            (
                "Guardrail evaluations per second per worker (observed; a lower bound unless the worker was saturated)",
                _round(m.guardrail_evals_per_s, "0.001"),
            ),
            ("Input tokens per guardrail LLM call", _round(m.eval_input_tokens, "1")),
            ("Output tokens per guardrail LLM call", _round(m.eval_output_tokens, "1")),
            (
                "Redis: peak used_memory / maxmemory (%, the share of the limit the run reached)",
                _round(None if m.redis_used_share is None else 100.0 * m.redis_used_share, "0.1"),
            ),
            (
                "Cost per guardrail LLM call, measured (USD)",
                NOT_MEASURED
                if p.measured_cost_per_eval_usd is None
                else round_usd(p.measured_cost_per_eval_usd, Decimal("0.000001")).normalize(),
            ),
            ("Cost per guardrail LLM call, plan (USD)", p.planned_cost_per_eval_usd),
            ("How the measured cost was obtained", p.cost_basis),
            *(("Caveat", note) for note in m.notes),
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
        title=p.title,
        description=(
            "Instances needed at peak from the measured capacity, and guardrail spend at the measured cost per"
            " guardrail LLM call. Projected total = plan with those three lines replaced. " + _load_note(report)
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


_EMULATOR_NOTE = (
    " The platform's guardrail worker talked to the LLM emulator (app/llm_emulator): its token counts"
    " and cost per call say how the emulator answers, not what a real model would bill."
)


NOT_MEASURED = "not measured"


def _round(value: float | None, places: str) -> Decimal | str:
    """A measured float as an exact number to `places`, or "not measured"."""
    if value is None:
        return NOT_MEASURED
    return round_usd(Decimal(repr(value)), Decimal(places)).normalize()


def _llm(m: Measurements) -> str:
    if m.llm_source == "emulator":
        return "the LLM emulator (app/llm_emulator), not a real model"
    return "not recorded by the run"


def _load_note(report: CostReport) -> str:
    load = report.model.load_assumptions
    return (
        f"Load assumed (ours): {format_cell(load.api_requests_per_agent_month, 'int')} requests per agent and"
        f" {format_cell(load.api_requests_per_human_month, 'int')} per human a month,"
        f" peak {plain_decimal(load.peak_factor)}x"
        f" the average, instances run at {format_cell(load.target_utilisation, 'pct')} of measured capacity."
    )


def _source(report: CostReport, key: str) -> str:
    return f"{key} ({report.model.sources[key].kind}, {report.model.sources[key].as_of})"
