"""Cost-tier model and finance reports (issue 9).

The model is data (`tiers.yaml`); the arithmetic is pure functions over it:
`economics` (lines, totals, unit costs, fixed vs variable), `whatif` (scenarios, sensitivity),
`result_adapter` + `projection` (a run's measured capacity and cost, projected onto each tier).
`report` assembles every view; `render/` writes HTML, Markdown, CSV, XLSX and JSON; `cli` is
`bwperf cost report`.
"""

from harness.costs.economics import Adjustments, CostLine, TierCosts, UnitEconomics, tier_costs, unit_economics
from harness.costs.errors import CompareFileError, CostError, ModelFileError, ResultFileError
from harness.costs.measurements import Measurements
from harness.costs.model import DEFAULT_MODEL_PATH, CostModel, load_model
from harness.costs.projection import Projection, project
from harness.costs.report import CostReport, build_report
from harness.costs.result_adapter import load_measurements, measurements_from_result_json
from harness.costs.whatif import ScenarioResult, TornadoBar, run_scenarios, tornado

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Adjustments",
    "CompareFileError",
    "CostError",
    "CostLine",
    "CostModel",
    "CostReport",
    "Measurements",
    "ModelFileError",
    "Projection",
    "ResultFileError",
    "ScenarioResult",
    "TierCosts",
    "TornadoBar",
    "UnitEconomics",
    "build_report",
    "load_measurements",
    "load_model",
    "measurements_from_result_json",
    "project",
    "run_scenarios",
    "tier_costs",
    "tornado",
    "unit_economics",
]
