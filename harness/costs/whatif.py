"""What-ifs (the seed's levers as named scenarios) and one-at-a-time sensitivity (tornado).

Both are pure: they turn the model's scenarios or a swing into `Adjustments` and re-price the
tier with `economics.tier_costs`, never editing the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from harness.costs.economics import Adjustments, SelfHostedInference, tier_costs
from harness.costs.model import CostModel, ScaleOperationPrice, Scenario, SelfHost, SetAssumption, Tier


@dataclass(frozen=True)
class ScenarioResult:
    scenario_id: str
    scenario_name: str
    lever: str
    source_kind: str
    tier_id: str
    tier_name: str
    base_ai_usd_month: Decimal
    ai_usd_month: Decimal
    base_total_usd_month: Decimal
    total_usd_month: Decimal

    @property
    def saving_usd_month(self) -> Decimal:
        """Positive when the scenario is cheaper than the plan."""
        return self.base_total_usd_month - self.total_usd_month

    @property
    def saving_share(self) -> Decimal:
        return self.saving_usd_month / self.base_total_usd_month if self.base_total_usd_month else Decimal(0)


@dataclass(frozen=True)
class TornadoBar:
    """Total monthly cost of a tier with one driver moved down and up by the swing."""

    tier_id: str
    tier_name: str
    driver: str
    swing_pct: Decimal
    base_total_usd_month: Decimal
    low_total_usd_month: Decimal  # driver at -swing
    high_total_usd_month: Decimal  # driver at +swing

    @property
    def range_usd_month(self) -> Decimal:
        return abs(self.high_total_usd_month - self.low_total_usd_month)


def scenario_adjustments(scenario: Scenario) -> Adjustments:
    cache: Decimal | None = None
    prefilter: Decimal | None = None
    factors: dict[str, Decimal] = {}
    hosted: SelfHostedInference | None = None
    for change in scenario.changes:
        if isinstance(change, SetAssumption):
            if change.assumption == "guardrail_cache_hit_rate":
                cache = change.value
            else:
                prefilter = change.value
        elif isinstance(change, ScaleOperationPrice):
            factors[change.operation] = factors.get(change.operation, Decimal(1)) * change.factor
        elif isinstance(change, SelfHost):
            hosted = SelfHostedInference(
                name=change.name,
                spec=change.spec,
                cost_usd_month=change.cost_usd_month,
                replaces_operations=frozenset(change.replaces_operations),
            )
    return Adjustments(cache_hit_rate=cache, prefilter_rate=prefilter, price_factors=factors, self_hosted=hosted)


def run_scenarios(model: CostModel) -> tuple[ScenarioResult, ...]:
    """Every scenario on every tier it applies to, against that tier's plan."""
    results: list[ScenarioResult] = []
    for scenario in model.scenarios:
        adjust = scenario_adjustments(scenario)
        for tier in model.tiers:
            if scenario.tiers is not None and tier.id not in scenario.tiers:
                continue
            base = tier_costs(model, tier)
            changed = tier_costs(model, tier, adjust=adjust)
            results.append(
                ScenarioResult(
                    scenario_id=scenario.id,
                    scenario_name=scenario.name,
                    lever=scenario.lever,
                    source_kind=model.sources[scenario.source].kind,
                    tier_id=tier.id,
                    tier_name=tier.name,
                    base_ai_usd_month=base.ai_usd_month,
                    ai_usd_month=changed.ai_usd_month,
                    base_total_usd_month=base.total_usd_month,
                    total_usd_month=changed.total_usd_month,
                )
            )
    return tuple(results)


def tornado(model: CostModel, tier: Tier, *, swing_pct: Decimal) -> tuple[TornadoBar, ...]:
    """Move each driver by -swing and +swing, one at a time; widest range first.

    Drivers: agents (every AI call volume scales with agents, as in the seed's tables), each AI
    operation's price per call, the guardrail cache and pre-filter rates (only where the tier
    assumes one: 20 % of zero is zero), and all infrastructure prices together.
    """
    step = swing_pct / 100
    base = tier_costs(model, tier).total_usd_month
    drivers: list[tuple[str, Callable[[Decimal], Adjustments]]] = [
        ("Agents (AI call volume)", lambda f: Adjustments(volume_factor=f)),
        ("Infrastructure prices", lambda f: Adjustments(infrastructure_factor=f)),
    ]
    for op in tier.ai_operations:
        drivers.append((f"Price: {op.operation}", lambda f, op_id=op.id: Adjustments(price_factors={op_id: f})))
    cache = tier.assumptions.guardrail_cache_hit_rate
    if cache:
        drivers.append(("Guardrail cache hit rate", lambda f: Adjustments(cache_hit_rate=min(cache * f, MAX_RATE))))
    prefilter = tier.assumptions.guardrail_prefilter_rate
    if prefilter:
        drivers.append(
            ("Guardrail pre-filter rate", lambda f: Adjustments(prefilter_rate=min(prefilter * f, MAX_RATE)))
        )
    bars = [
        TornadoBar(
            tier_id=tier.id,
            tier_name=tier.name,
            driver=name,
            swing_pct=swing_pct,
            base_total_usd_month=base,
            low_total_usd_month=_total(model, tier, make(1 - step)),
            high_total_usd_month=_total(model, tier, make(1 + step)),
        )
        for name, make in drivers
    ]
    return tuple(sorted(bars, key=lambda bar: (-bar.range_usd_month, bar.driver)))


MAX_RATE = Decimal("0.99")  # a rate pushed up by the swing stays a share below 1


def _total(model: CostModel, tier: Tier, adjust: Adjustments) -> Decimal:
    return tier_costs(model, tier, adjust=adjust).total_usd_month


def all_tornados(model: CostModel, *, swing_pct: Decimal) -> tuple[tuple[TornadoBar, ...], ...]:
    return tuple(tornado(model, tier, swing_pct=swing_pct) for tier in model.tiers)
