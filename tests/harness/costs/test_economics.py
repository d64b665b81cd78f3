"""Totals, unit costs and fixed/variable split, against figures computed by hand from the seed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.costs.economics import (
    Adjustments,
    SelfHostedInference,
    guardrail_llm_calls,
    round_usd,
    tier_costs,
    unit_economics,
)
from harness.costs.model import CostModel

D = Decimal

# By hand from seed 10.1 / 10.2 (Enterprise: our lines; see tiers.yaml):
#   MVP    infra 10+5+5+10+10+5+0+0+7+0+0 = 52;  AI 3000*.003 + 3000*.0001 + 100*.02 + 50*.03 = 9+0.3+2+1.5 = 12.80
#   Growth infra 40+10+5+20+40+15+5+26+0+40 = 201; AI 90+3+20+15 = 128
#   Scale  infra 75+20+7+45+120+100+50+25+20+80+50+40+5 = 637; AI 900+30+200+150 = 1280
#   Enterprise infra 768+90+14+320+700+750+10+280+100+150+200+500+600+150+200+168 = 5000
#              AI 3,000,000*(1-0.40)*(1-0.25)*0.003 = 4050, +300 +2000 +1500 = 7850
HAND = {
    "mvp": (D("52"), D("12.80"), D("64.80")),
    "growth": (D("201"), D("128"), D("329")),
    "scale": (D("637"), D("1280"), D("1917")),
    "enterprise": (D("5000"), D("7850"), D("12850")),
}


@pytest.mark.parametrize("tier_id", list(HAND))
def test_tier_totals(model: CostModel, tier_id: str) -> None:
    costs = tier_costs(model, model.tier(tier_id))
    assert (costs.infrastructure_usd_month, costs.ai_usd_month, costs.total_usd_month) == HAND[tier_id]


def test_ai_lines_match_seed_table_10_2(model: CostModel) -> None:
    expected = {  # seed 10.2, second table: guardrails, embeddings, decomposition, vision
        "mvp": (D("9"), D("0.30"), D("2"), D("1.50")),
        "growth": (D("90"), D("3"), D("20"), D("15")),
        "scale": (D("900"), D("30"), D("200"), D("150")),
    }
    for tier_id, costs_usd in expected.items():
        lines = [line for line in tier_costs(model, model.tier(tier_id)).lines if line.category == "ai"]
        assert tuple(line.cost_usd_month for line in lines) == costs_usd


@pytest.mark.parametrize("tier_id", list(HAND))
def test_totals_agree_with_the_seed_at_the_seeds_precision(model: CostModel, tier_id: str) -> None:
    """The seed prints "~$13" and "~$8,000": round ours to the same precision and they match."""
    tier = model.tier(tier_id)
    costs = tier_costs(model, tier)
    step = tier.seed_totals.rounded_to_usd

    def to_seed_precision(amount: Decimal) -> Decimal:
        return round_usd(amount / step, D(1)) * step

    seed = tier.seed_totals
    assert to_seed_precision(costs.infrastructure_usd_month) == seed.infrastructure_usd_month
    assert to_seed_precision(costs.ai_usd_month) == seed.ai_usd_month
    assert to_seed_precision(costs.total_usd_month) == seed.total_usd_month


def test_fixed_is_infrastructure_and_variable_is_ai_in_the_plan(model: CostModel) -> None:
    for tier in model.tiers:
        costs = tier_costs(model, tier)
        assert costs.fixed_usd_month == costs.infrastructure_usd_month
        assert costs.variable_usd_month == costs.ai_usd_month


def test_unit_costs_by_hand(model: CostModel) -> None:
    mvp = unit_economics(tier_costs(model, model.tier("mvp")))
    assert mvp.cost_per_agent_usd_month == D("0.648")  # 64.80 / 100
    assert mvp.cost_per_human_usd_month == D("0.1296")  # 64.80 / 500
    assert mvp.ai_cost_per_agent_usd_month == D("0.128")  # 12.80 / 100
    assert mvp.guardrail_usd_per_1k_evaluations == D("3")  # 9 / 3,000 * 1,000
    assert (mvp.fixed_usd_month, mvp.variable_usd_month) == (D("52"), D("12.80"))
    assert round_usd(mvp.fixed_share, D("0.0001")) == D("0.8025")  # 52 / 64.80

    scale = unit_economics(tier_costs(model, model.tier("scale")))
    assert scale.cost_per_agent_usd_month == D("0.1917")  # 1,917 / 10,000
    assert scale.cost_per_human_usd_month == D("0.03834")  # 1,917 / 50,000
    assert round_usd(scale.fixed_share, D("0.0001")) == D("0.3323")  # 637 / 1,917

    enterprise = unit_economics(tier_costs(model, model.tier("enterprise")))
    assert enterprise.cost_per_agent_usd_month == D("0.1285")  # 12,850 / 100,000
    assert enterprise.cost_per_human_usd_month == D("0.0257")  # 12,850 / 500,000
    # 4,050 spent on 3,000,000 evaluations requested (cache and pre-filter answer 55 % of them)
    assert enterprise.guardrail_usd_per_1k_evaluations == D("1.35")


def test_guardrail_calls_apply_cache_then_prefilter() -> None:
    assert guardrail_llm_calls(D(1000), cache_hit_rate=D("0.4"), prefilter_rate=D("0.25")) == D(450)
    assert guardrail_llm_calls(D(1000), cache_hit_rate=D(0), prefilter_rate=D(0)) == D(1000)


def test_adjustments_reprice_without_touching_the_model(model: CostModel) -> None:
    scale = model.tier("scale")
    cheaper = tier_costs(model, scale, adjust=Adjustments(price_factors={"task_decomposition": D("0.5")}))
    assert cheaper.line("task_decomposition").cost_usd_month == D("100")  # 10,000 * 0.02 * 0.5
    assert tier_costs(model, scale).line("task_decomposition").cost_usd_month == D("200")
    more = tier_costs(model, scale, adjust=Adjustments(volume_factor=D(2), infrastructure_factor=D("1.1")))
    assert more.ai_usd_month == D("2560")
    assert more.infrastructure_usd_month == D("700.7")


def test_self_hosting_replaces_operations_with_one_fixed_ai_line(model: CostModel) -> None:
    hosted = SelfHostedInference(
        name="GPU",
        spec="1 GPU",
        cost_usd_month=D(2500),
        replaces_operations=frozenset({"guardrail_evaluation", "task_decomposition"}),
    )
    costs = tier_costs(model, model.tier("enterprise"), adjust=Adjustments(self_hosted=hosted))
    assert costs.ai_usd_month == D("2500") + D("300") + D("1500")
    assert costs.fixed_usd_month == D("5000") + D("2500")
    assert costs.variable_usd_month == D("1800")


def test_infrastructure_line_names_follow_the_seed(model: CostModel) -> None:
    scale = tier_costs(model, model.tier("scale"))
    assert scale.line("api").name == "API Service (x5)"
    assert scale.line("postgres_replicas").name == "PostgreSQL (read replicas) x2"
    assert scale.line("api").unit_price_usd == D(15)
