"""The cost-tier report (`harness.costs`) for the Costs page, with a run's measured projection.

The model (`harness/costs/tiers.yaml`) prices every tier without a run; a run adds the projection
(instances needed at peak, measured cost per evaluation). A run that cannot give measurements
(no `p(95)<N` threshold, no window within budget) still shows the model, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.costs import CostModel, CostReport, Measurements, build_report, measurements_from_run_result
from harness.errors import InputError
from harness.results import RunResult


@dataclass(frozen=True)
class CostView:
    report: CostReport
    projection_note: str | None  # why there is no projection, when there is none


def run_measurements(result: RunResult, *, source: str) -> tuple[Measurements | None, str | None]:
    """The run's measured capacity and guardrail cost, or None with the reason."""
    try:
        return measurements_from_run_result(result, source=source), None
    except InputError as error:
        return None, f"No projection from this run: {error}"


def cost_view(model: CostModel, *, model_path: str, result: RunResult | None, source: str = "") -> CostView:
    measurements, note = (None, "No run yet: the projection needs one.") if result is None else run_measurements(
        result, source=source or result.meta.run_id)
    report = build_report(model, model_path=model_path, measurements=measurements,
                          generated_at=result.meta.ended_at if result is not None else None)
    return CostView(report=report, projection_note=note)
