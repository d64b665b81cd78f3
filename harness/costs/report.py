"""Assemble everything a cost report shows into one frozen value the renderers read."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from harness.costs.compare import Comparison, compare_documents
from harness.costs.economics import TierCosts, UnitEconomics, all_tier_costs, unit_economics
from harness.costs.infracost import report_document
from harness.costs.measurements import Measurements
from harness.costs.model import CostModel
from harness.costs.projection import Projection, project
from harness.costs.whatif import ScenarioResult, TornadoBar, all_tornados, run_scenarios


@dataclass(frozen=True)
class CostReport:
    model: CostModel
    model_path: str
    generated_at: str  # ISO 8601, UTC
    tiers: tuple[TierCosts, ...]
    unit_economics: tuple[UnitEconomics, ...]
    scenarios: tuple[ScenarioResult, ...]
    swing_pct: Decimal
    tornados: tuple[tuple[TornadoBar, ...], ...]  # one tuple of bars per tier, widest first
    projection: Projection | None = None
    comparison: Comparison | None = None


def build_report(
    model: CostModel,
    *,
    model_path: str,
    measurements: Measurements | None = None,
    previous: Mapping[str, Any] | None = None,
    previous_label: str = "previous report",
    swing_pct: Decimal | None = None,
    generated_at: datetime | None = None,
) -> CostReport:
    """Compute every view. `previous` is a parsed earlier JSON report (see compare.load_previous)."""
    tiers = all_tier_costs(model)
    swing = model.sensitivity.swing_pct if swing_pct is None else swing_pct
    moment = generated_at or datetime.now(UTC)
    report = CostReport(
        model=model,
        model_path=model_path,
        generated_at=moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        tiers=tiers,
        unit_economics=tuple(unit_economics(costs) for costs in tiers),
        scenarios=run_scenarios(model),
        swing_pct=swing,
        tornados=all_tornados(model, swing_pct=swing),
        projection=None if measurements is None else project(model, measurements),
    )
    if previous is None:
        return report
    comparison = compare_documents(previous, report_document(report), previous_label=previous_label)
    return dataclasses.replace(report, comparison=comparison)
