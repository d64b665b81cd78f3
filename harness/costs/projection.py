"""Project what a run measured onto each tier, beside the seed's plan (pure).

For each tier:
  API   average req/s = (agents x requests per agent + humans x requests per human) / seconds
        in a month; peak = average x peak factor; instances needed =
        ceil(peak / (measured capacity per instance x target utilisation)).
  Worker  every AI call is one queued job; workers needed = ceil(peak jobs/s /
        (measured guardrail evaluations/s per worker x target utilisation)).
        Both are at least the tier's `min_instances` (failover), a named load assumption.
  AI    measured cost per guardrail LLM call (measured cost, or measured tokens x the
        guardrail model's token prices) x the tier's LLM calls, against the seed's price per call.
A line is under-provisioned when it needs more than planned, over-provisioned when the plan has
at least `over_provision_ratio` times what it needs. All load assumptions are named in the YAML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from harness.costs.economics import CostLine, TierCosts, tier_costs
from harness.costs.measurements import EMULATOR_CAVEAT, Measurements, to_decimal
from harness.costs.model import AiOperation, CostModel, LoadAssumptions, Tier

SizingStatus = Literal["under-provisioned", "over-provisioned", "within plan"]
PriceStatus = Literal["above plan", "below plan", "within plan", "not measured"]
MTOK = Decimal(1_000_000)


@dataclass(frozen=True)
class SizingCheck:
    line_name: str
    planned_instances: int
    needed_instances: int
    status: SizingStatus
    planned_cost_usd_month: Decimal
    projected_cost_usd_month: Decimal  # needed x the plan's price per instance


@dataclass(frozen=True)
class TierProjection:
    tier_id: str
    tier_name: str
    average_api_rps: Decimal
    peak_api_rps: Decimal
    api: SizingCheck | None  # None when the tier has no line with role "api"
    peak_ai_jobs_per_s: Decimal
    workers: SizingCheck | None  # None without a worker line or a measured guardrail rate
    guardrail_llm_calls_month: Decimal
    planned_guardrail_usd_month: Decimal
    projected_guardrail_usd_month: Decimal | None
    guardrail_status: PriceStatus
    planned_total_usd_month: Decimal
    projected_total_usd_month: Decimal  # plan with the projected API, worker and guardrail lines


@dataclass(frozen=True)
class Projection:
    measurements: Measurements
    cost_basis: str  # how the cost per evaluation was obtained, in words
    planned_cost_per_eval_usd: Decimal
    measured_cost_per_eval_usd: Decimal | None
    tiers: tuple[TierProjection, ...]

    @property
    def title(self) -> str:
        """The projection's heading in every format; it names the emulator when the tokens are its."""
        base = "Measured projection beside the plan"
        return f"{base}, {EMULATOR_CAVEAT}" if self.measurements.from_emulator else base


def measured_cost_per_eval_usd(model: CostModel, tier: Tier, measurements: Measurements) -> tuple[Decimal | None, str]:
    """The measured cost of one guardrail evaluation, and how it was obtained."""
    emulated = measurements.from_emulator
    if measurements.eval_cost_usd is not None:
        if emulated:
            return measurements.eval_cost_usd, (
                f"the worker's cost counter, {EMULATOR_CAVEAT} (priced with the worker's prices.yaml)"
            )
        return measurements.eval_cost_usd, "cost measured by the run"
    if measurements.eval_input_tokens is None or measurements.eval_output_tokens is None:
        return None, "not measured (the run has no guardrail token counts)"
    price = model.price_book[_guardrail_op(tier).price]
    if price.token_prices is None:
        return None, f"not priced (price_book.{_guardrail_op(tier).price} has no token_prices)"
    tokens = price.token_prices
    cost = (
        to_decimal(measurements.eval_input_tokens) * tokens.input_usd_per_mtok
        + to_decimal(measurements.eval_output_tokens) * tokens.output_usd_per_mtok
    ) / MTOK
    counted = f"tokens {EMULATOR_CAVEAT}," if emulated else "measured tokens"
    return cost, (
        f"{counted} x {price.model} list price (${_plain(tokens.input_usd_per_mtok)}"
        f"/${_plain(tokens.output_usd_per_mtok)} per MTok in/out)"
    )


def project(model: CostModel, measurements: Measurements) -> Projection:
    first = model.tiers[0]
    per_eval, basis = measured_cost_per_eval_usd(model, first, measurements)
    planned_per_eval = model.price_book[_guardrail_op(first).price].cost_usd_per_call
    return Projection(
        measurements=measurements,
        cost_basis=basis,
        planned_cost_per_eval_usd=planned_per_eval,
        measured_cost_per_eval_usd=per_eval,
        tiers=tuple(project_tier(model, tier, measurements) for tier in model.tiers),
    )


def project_tier(model: CostModel, tier: Tier, measurements: Measurements) -> TierProjection:
    load = model.load_assumptions
    costs = tier_costs(model, tier)
    seconds = load.hours_per_month * 3600
    average_rps = (
        tier.assumptions.agents * load.api_requests_per_agent_month
        + tier.assumptions.humans * load.api_requests_per_human_month
    ) / seconds
    peak_rps = average_rps * load.peak_factor
    least = load.min_instances.get(tier.id, 1)
    api = _sizing(_role_line(costs, "api"), peak_rps, to_decimal(measurements.api_capacity_rps), load, least)

    jobs_month = sum((Decimal(op.calls_per_month) for op in tier.ai_operations), Decimal(0))
    peak_jobs = jobs_month / seconds * load.peak_factor
    workers = None
    if measurements.guardrail_evals_per_s is not None:
        workers = _sizing(
            _role_line(costs, "worker"), peak_jobs, to_decimal(measurements.guardrail_evals_per_s), load, least
        )

    guardrail = _role_line(costs, "guardrail")
    if guardrail is None:  # check_references guarantees one; a hand-built model may not
        raise ValueError(f"tier {tier.id!r} has no guardrail operation")
    per_eval, _ = measured_cost_per_eval_usd(model, tier, measurements)
    projected_guardrail = None if per_eval is None else guardrail.quantity * per_eval
    status = _price_status(per_eval, guardrail.unit_price_usd, load.cost_tolerance)

    projected_total = costs.total_usd_month
    for check in (api, workers):
        if check is not None:
            projected_total += check.projected_cost_usd_month - check.planned_cost_usd_month
    if projected_guardrail is not None:
        projected_total += projected_guardrail - guardrail.cost_usd_month
    return TierProjection(
        tier_id=tier.id,
        tier_name=tier.name,
        average_api_rps=average_rps,
        peak_api_rps=peak_rps,
        api=api,
        peak_ai_jobs_per_s=peak_jobs,
        workers=workers,
        guardrail_llm_calls_month=guardrail.quantity,
        planned_guardrail_usd_month=guardrail.cost_usd_month,
        projected_guardrail_usd_month=projected_guardrail,
        guardrail_status=status,
        planned_total_usd_month=costs.total_usd_month,
        projected_total_usd_month=projected_total,
    )


def instances_needed(
    peak_per_s: Decimal, capacity_per_s: Decimal, *, target_utilisation: Decimal, min_instances: int = 1
) -> int:
    """Instances to serve a peak at no more than the target share of measured capacity."""
    return max(min_instances, math.ceil(peak_per_s / (capacity_per_s * target_utilisation)))


def sizing_status(planned: int, needed: int, *, over_provision_ratio: Decimal) -> SizingStatus:
    if needed > planned:
        return "under-provisioned"
    if planned >= needed * over_provision_ratio:
        return "over-provisioned"
    return "within plan"


def _sizing(
    line: CostLine | None, peak: Decimal, capacity: Decimal, load: LoadAssumptions, min_instances: int
) -> SizingCheck | None:
    if line is None:
        return None
    planned = int(line.quantity)
    needed = instances_needed(peak, capacity, target_utilisation=load.target_utilisation, min_instances=min_instances)
    return SizingCheck(
        line_name=line.name,
        planned_instances=planned,
        needed_instances=needed,
        status=sizing_status(planned, needed, over_provision_ratio=load.over_provision_ratio),
        planned_cost_usd_month=line.cost_usd_month,
        projected_cost_usd_month=line.unit_price_usd * needed,
    )


def _price_status(measured: Decimal | None, planned: Decimal, tolerance: Decimal) -> PriceStatus:
    if measured is None:
        return "not measured"
    if measured > planned * (1 + tolerance):
        return "above plan"
    if measured < planned * (1 - tolerance):
        return "below plan"
    return "within plan"


def _role_line(costs: TierCosts, role: str) -> CostLine | None:
    return next((line for line in costs.lines if line.role == role), None)


def _guardrail_op(tier: Tier) -> AiOperation:
    return next(op for op in tier.ai_operations if op.role == "guardrail")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
