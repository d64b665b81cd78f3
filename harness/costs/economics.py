"""Pure cost arithmetic: resolve a tier into priced lines, totals, unit costs, fixed vs variable.

Money policy: every figure is an exact `Decimal` (no rounding inside the arithmetic); reports
round to cents (half up) when they print, with `round_usd`. Unit costs print to 4 places.

Classification: infrastructure lines are fixed costs (paid per month whatever the traffic);
AI API calls are variable (paid per call). A self-hosted GPU that replaces API calls is an AI
cost, but fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from harness.costs.model import AiOperation, CostModel, InfrastructureLine, Tier

CENT = Decimal("0.01")
UNIT_PLACES = Decimal("0.0001")

Category = Literal["infrastructure", "ai"]
Behaviour = Literal["fixed", "variable"]


def round_usd(amount: Decimal, places: Decimal = CENT) -> Decimal:
    """Round money for display: half up, to cents unless told otherwise."""
    return amount.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SelfHostedInference:
    """A fixed-cost replacement for some AI operations (a what-if lever)."""

    name: str
    spec: str
    cost_usd_month: Decimal
    replaces_operations: frozenset[str]


@dataclass(frozen=True)
class Adjustments:
    """Changes to a tier's inputs, as what-ifs and sensitivity apply them. Empty = the plan."""

    cache_hit_rate: Decimal | None = None  # replaces the tier's rate when set
    prefilter_rate: Decimal | None = None
    price_factors: Mapping[str, Decimal] = field(default_factory=dict)  # op id -> x price
    volume_factor: Decimal = Decimal(1)  # x every AI call volume (volumes scale with agents)
    infrastructure_factor: Decimal = Decimal(1)  # x every infrastructure line
    self_hosted: SelfHostedInference | None = None


NO_ADJUSTMENTS = Adjustments()


@dataclass(frozen=True)
class CostLine:
    """One priced line of a tier: an infrastructure resource or an AI operation."""

    line_id: str
    category: Category
    behaviour: Behaviour
    name: str
    provider: str  # provider for infrastructure, model for AI
    spec: str
    quantity: Decimal  # instances, or LLM calls per month
    unit: str
    unit_price_usd: Decimal  # per instance-month (infrastructure: line cost / count), per call (AI)
    cost_usd_month: Decimal
    source_id: str
    source_kind: str
    role: str = ""  # "api", "worker", "guardrail" or "" (what projections and unit costs look for)
    note: str = ""


@dataclass(frozen=True)
class TierCosts:
    tier_id: str
    tier_name: str
    projected: bool
    agents: int
    humans: int
    guardrail_evaluations_month: Decimal  # requested, before cache and pre-filter
    lines: tuple[CostLine, ...]

    def _sum(self, *, category: Category | None = None, behaviour: Behaviour | None = None) -> Decimal:
        return sum(
            (
                line.cost_usd_month
                for line in self.lines
                if (category is None or line.category == category)
                and (behaviour is None or line.behaviour == behaviour)
            ),
            Decimal(0),
        )

    @property
    def infrastructure_usd_month(self) -> Decimal:
        return self._sum(category="infrastructure")

    @property
    def ai_usd_month(self) -> Decimal:
        return self._sum(category="ai")

    @property
    def total_usd_month(self) -> Decimal:
        return self._sum()

    @property
    def fixed_usd_month(self) -> Decimal:
        return self._sum(behaviour="fixed")

    @property
    def variable_usd_month(self) -> Decimal:
        return self._sum(behaviour="variable")

    def line(self, line_id: str) -> CostLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)


@dataclass(frozen=True)
class UnitEconomics:
    tier_id: str
    tier_name: str
    cost_per_agent_usd_month: Decimal  # the whole bill / agents
    cost_per_human_usd_month: Decimal  # the whole bill / humans
    ai_cost_per_agent_usd_month: Decimal
    guardrail_usd_per_1k_evaluations: Decimal  # guardrail spend per 1,000 evaluations requested
    fixed_usd_month: Decimal
    variable_usd_month: Decimal
    fixed_share: Decimal  # 0..1


def guardrail_llm_calls(evaluations: Decimal, *, cache_hit_rate: Decimal, prefilter_rate: Decimal) -> Decimal:
    """Evaluations that still reach the LLM: the cache answers some, the pre-filter settles some
    of the rest (the seed's levers 1 and 4, applied one after the other)."""
    return evaluations * (1 - cache_hit_rate) * (1 - prefilter_rate)


def tier_costs(model: CostModel, tier: Tier, *, adjust: Adjustments = NO_ADJUSTMENTS) -> TierCosts:
    """Price every line of a tier, with optional what-if adjustments."""
    lines = [_infrastructure_line(model, line, adjust) for line in tier.infrastructure]
    replaced = adjust.self_hosted.replaces_operations if adjust.self_hosted else frozenset()
    evaluations = Decimal(0)
    for op in tier.ai_operations:
        if op.role == "guardrail":
            evaluations = Decimal(op.calls_per_month) * adjust.volume_factor
        if op.id not in replaced:
            lines.append(_ai_line(model, tier, op, adjust))
    if adjust.self_hosted is not None:
        hosted = adjust.self_hosted
        lines.append(
            CostLine(
                line_id="self_hosted_inference",
                category="ai",
                behaviour="fixed",
                name=hosted.name,
                provider="self-hosted",
                spec=hosted.spec,
                quantity=Decimal(1),
                unit="instance-months",
                unit_price_usd=hosted.cost_usd_month,
                cost_usd_month=hosted.cost_usd_month,
                source_id="what-if",
                source_kind="what-if",
                note="replaces " + ", ".join(sorted(hosted.replaces_operations)),
            )
        )
    return TierCosts(
        tier_id=tier.id,
        tier_name=tier.name,
        projected=tier.projected,
        agents=tier.assumptions.agents,
        humans=tier.assumptions.humans,
        guardrail_evaluations_month=evaluations,
        lines=tuple(lines),
    )


def all_tier_costs(model: CostModel) -> tuple[TierCosts, ...]:
    return tuple(tier_costs(model, tier) for tier in model.tiers)


def unit_economics(costs: TierCosts) -> UnitEconomics:
    total = costs.total_usd_month
    guardrail = sum((line.cost_usd_month for line in costs.lines if line.role == "guardrail"), Decimal(0))
    per_1k = guardrail / costs.guardrail_evaluations_month * 1000 if costs.guardrail_evaluations_month else Decimal(0)
    return UnitEconomics(
        tier_id=costs.tier_id,
        tier_name=costs.tier_name,
        cost_per_agent_usd_month=total / costs.agents,
        cost_per_human_usd_month=total / costs.humans if costs.humans else Decimal(0),
        ai_cost_per_agent_usd_month=costs.ai_usd_month / costs.agents,
        guardrail_usd_per_1k_evaluations=per_1k,
        fixed_usd_month=costs.fixed_usd_month,
        variable_usd_month=costs.variable_usd_month,
        fixed_share=costs.fixed_usd_month / total if total else Decimal(0),
    )


def _infrastructure_line(model: CostModel, line: InfrastructureLine, adjust: Adjustments) -> CostLine:
    cost = line.cost_usd_month * adjust.infrastructure_factor
    count = Decimal(line.count)
    name = line.resource
    if line.count > 1:  # the seed writes "API Service (x2)"
        name += f" x{line.count}" if line.resource.endswith(")") else f" (x{line.count})"
    return CostLine(
        line_id=line.id,
        category="infrastructure",
        behaviour="fixed",
        name=name,
        provider=line.provider,
        spec=line.spec,
        quantity=count,
        unit="instances",
        unit_price_usd=cost / count,
        cost_usd_month=cost,
        source_id=line.source,
        source_kind=model.sources[line.source].kind,
        role=line.role or "",
        note=line.note,
    )


def _ai_line(model: CostModel, tier: Tier, op: AiOperation, adjust: Adjustments) -> CostLine:
    price = model.price_book[op.price]
    unit_price = price.cost_usd_per_call * adjust.price_factors.get(op.id, Decimal(1))
    calls = Decimal(op.calls_per_month) * adjust.volume_factor
    spec = _price_spec(adjust.price_factors.get(op.id))
    if op.role == "guardrail":
        cache = tier.assumptions.guardrail_cache_hit_rate if adjust.cache_hit_rate is None else adjust.cache_hit_rate
        prefilter = (
            tier.assumptions.guardrail_prefilter_rate if adjust.prefilter_rate is None else adjust.prefilter_rate
        )
        if cache or prefilter:
            spec = _join_notes(
                f"{_fmt_int(calls)} evaluations, {_pct(cache)} cached, {_pct(prefilter)} pre-filtered", spec
            )
        calls = guardrail_llm_calls(calls, cache_hit_rate=cache, prefilter_rate=prefilter)
    return CostLine(
        line_id=op.id,
        category="ai",
        behaviour="variable",
        name=op.operation,
        provider=price.model,
        spec=spec,
        quantity=calls,
        unit="calls",
        unit_price_usd=unit_price,
        cost_usd_month=calls * unit_price,
        source_id=op.source,
        source_kind=model.sources[op.source].kind,
        role=op.role or "",
        note=op.note,
    )


def _price_spec(factor: Decimal | None) -> str:
    if factor is None or factor == 1:
        return ""
    return f"list price x {factor} (what-if)"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def _fmt_int(value: Decimal) -> str:
    return f"{value:,.0f}"


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
