"""Fixtures for the cost tests: the shipped model, a fixed clock, and measurements whose
projection is hand-computed in test_projection.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harness.costs.measurements import Measurements
from harness.costs.model import CostModel, load_model
from harness.costs.report import CostReport, build_report

FIXED_TIME = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def model() -> CostModel:
    return load_model()


@pytest.fixture(scope="session")
def measured() -> Measurements:
    # 200 req/s per API instance within a 200 ms p95; 2,400 in + 300 out tokens per evaluation
    # (= $0.0039 at Haiku's $1/$5 per MTok); 5 evaluations/s per worker.
    return Measurements(
        source_label="run-42 (laptop)",
        api_capacity_rps=200.0,
        p95_budget_ms=200.0,
        api_p95_ms=120.0,
        eval_input_tokens=2400.0,
        eval_output_tokens=300.0,
        guardrail_evals_per_s=5.0,
    )


@pytest.fixture(scope="session")
def report(model: CostModel, measured: Measurements) -> CostReport:
    return build_report(model, model_path="tiers.yaml", measurements=measured, generated_at=FIXED_TIME)


@pytest.fixture(scope="session")
def plain_report(model: CostModel) -> CostReport:
    return build_report(model, model_path="tiers.yaml", generated_at=FIXED_TIME)
