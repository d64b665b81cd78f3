"""Measured projection per tier, against hand-computed values.

With the conftest's measurements (200 req/s per instance, 70 % target utilisation -> 140 req/s
usable; 5 evaluations/s per worker -> 3.5 jobs/s usable; 2,400 + 300 tokens = $0.0039 each):

  seconds in a month = 730 h * 3,600 = 2,628,000
  Scale:      (10,000 * 43,800 + 50,000 * 600) / 2,628,000 = 178.08 req/s; peak x3 = 534.25
              534.25 / 140 = 3.82 -> 4 API instances (plan 5: within plan; 5 < 2 * 4)
              jobs (300k + 300k + 10k + 5k) / 2,628,000 * 3 = 0.702/s -> 1, failover minimum 2 (plan 3)
              guardrails 300,000 * 0.0039 = 1,170 (plan 900, above plan: 0.0039 > 0.003 * 1.2)
              total 1,917 + (4 * 15 - 75) + (2 * 15 - 45) + (1,170 - 900) = 2,157
  Enterprise: 1,780.82 req/s; peak 5,342.47 / 140 = 38.16 -> 39 (plan 24: under-provisioned)
              jobs 6,150,000 / 2,628,000 * 3 = 7.02/s / 3.5 = 2.006 -> 3 (plan 10: over-provisioned)
              guardrails 1,350,000 * 0.0039 = 5,265
              total 12,850 + (39 * 32 - 768) + (3 * 32 - 320) + (5,265 - 4,050) = 14,321
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.costs.measurements import Measurements
from harness.costs.model import CostModel
from harness.costs.projection import instances_needed, project, sizing_status

D = Decimal


def test_cost_per_evaluation_from_tokens(model: CostModel, measured: Measurements) -> None:
    p = project(model, measured)
    assert p.measured_cost_per_eval_usd == D("0.0039")
    assert p.planned_cost_per_eval_usd == D("0.003")
    assert "tokens" in p.cost_basis


def test_scale_projection(model: CostModel, measured: Measurements) -> None:
    scale = next(t for t in project(model, measured).tiers if t.tier_id == "scale")
    assert round(scale.average_api_rps, 2) == D("178.08")
    assert round(scale.peak_api_rps, 2) == D("534.25")
    assert scale.api is not None and scale.workers is not None
    assert (scale.api.planned_instances, scale.api.needed_instances, scale.api.status) == (5, 4, "within plan")
    assert scale.api.projected_cost_usd_month == D("60")
    assert (scale.workers.planned_instances, scale.workers.needed_instances) == (3, 2)
    assert scale.workers.status == "within plan"
    assert scale.projected_guardrail_usd_month == D("1170")
    assert scale.guardrail_status == "above plan"
    assert scale.projected_total_usd_month == D("2157")


def test_enterprise_projection_flags_both_ways(model: CostModel, measured: Measurements) -> None:
    ent = next(t for t in project(model, measured).tiers if t.tier_id == "enterprise")
    assert ent.api is not None and ent.workers is not None
    assert (ent.api.needed_instances, ent.api.status) == (39, "under-provisioned")
    assert (ent.workers.needed_instances, ent.workers.status) == (3, "over-provisioned")
    assert ent.projected_guardrail_usd_month == D("5265")
    assert ent.projected_total_usd_month == D("14321")


def test_small_tiers_keep_their_failover_minimum(model: CostModel, measured: Measurements) -> None:
    checks = {t.tier_id: t.api for t in project(model, measured).tiers}
    mvp, growth = checks["mvp"], checks["growth"]
    assert mvp is not None and growth is not None
    assert mvp.needed_instances == 1
    assert (growth.needed_instances, growth.status) == (2, "within plan")  # 53 req/s needs 1; Growth keeps 2


def test_measured_cost_overrides_tokens_and_cheap_runs_are_below_plan(model: CostModel) -> None:
    m = Measurements(
        source_label="r",
        api_capacity_rps=1000,
        p95_budget_ms=200,
        eval_cost_usd=D("0.002"),
        eval_input_tokens=1e6,
        eval_output_tokens=1e6,
    )
    p = project(model, m)
    assert p.measured_cost_per_eval_usd == D("0.002")
    mvp = p.tiers[0]
    assert mvp.guardrail_status == "below plan"  # 0.002 < 0.003 * 0.8
    assert mvp.projected_guardrail_usd_month == D("6")
    assert mvp.workers is None  # guardrail throughput not measured: no worker sizing


def test_without_guardrail_measurements_ai_is_not_measured(model: CostModel) -> None:
    p = project(model, Measurements(source_label="r", api_capacity_rps=50, p95_budget_ms=200))
    assert p.measured_cost_per_eval_usd is None
    for tier in p.tiers:
        assert tier.guardrail_status == "not measured"
        assert tier.projected_guardrail_usd_month is None


def test_instances_needed_and_status_rules() -> None:
    assert instances_needed(D(140), D(200), target_utilisation=D("0.7")) == 1
    assert instances_needed(D("140.01"), D(200), target_utilisation=D("0.7")) == 2
    assert instances_needed(D(1), D(200), target_utilisation=D("0.7"), min_instances=2) == 2
    assert sizing_status(2, 3, over_provision_ratio=D(2)) == "under-provisioned"
    assert sizing_status(4, 2, over_provision_ratio=D(2)) == "over-provisioned"
    assert sizing_status(3, 2, over_provision_ratio=D(2)) == "within plan"


def test_measurements_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="api_capacity_rps must be > 0"):
        Measurements(source_label="r", api_capacity_rps=0, p95_budget_ms=200)
    with pytest.raises(ValueError, match="guardrail_evals_per_s must be > 0"):
        Measurements(source_label="r", api_capacity_rps=1, p95_budget_ms=200, guardrail_evals_per_s=0)
