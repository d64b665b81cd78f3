"""Cost-tier model and finance reports (issue 9).

The model is data (`tiers.yaml`); the arithmetic is pure functions over it:
`economics` (lines, totals, unit costs, fixed vs variable), `whatif` (scenarios, sensitivity),
`result_adapter` + `projection` (a run's measured capacity and cost, projected onto each tier).
`report` assembles every view; `views` lays it out as `Table`s, `tidy` as one pandas DataFrame
(the CSV); `render/` writes HTML, Markdown, CSV, XLSX (formulas with cached values) and JSON;
`cli` is `bwperf cost report`.

The figures (`charts`: `tier_stack_figure`, ...) and their layout for any width (`for_any_width`, the
cost report's and the dashboard's) are loaded on first use (PEP 562), so importing the package does
not import plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from harness.costs.economics import (
    Adjustments,
    CostLine,
    TierCosts,
    UnitEconomics,
    tier_costs,
    unit_economics,
)
from harness.costs.errors import (
    CompareFileError,
    CostError,
    ModelFileError,
    ResultFileError,
)
from harness.costs.measurements import Measurements
from harness.costs.model import DEFAULT_MODEL_PATH, CostModel, load_model
from harness.costs.projection import Projection, project
from harness.costs.report import CostReport, build_report
from harness.costs.result_adapter import (
    load_measurements,
    measurements_from_result_json,
)
from harness.costs.result_run import measurements_from_run_result
from harness.costs.table import Table, format_cell
from harness.costs.views import summary_table, unit_table
from harness.costs.whatif import ScenarioResult, TornadoBar, run_scenarios, tornado

_CHARTS = ("projection_figure", "tier_stack_figure", "tornado_figure", "unit_costs_figure", "whatif_figure")
_LAYOUT = ("for_any_width", "wrapped")  # harness.costs.figure_layout: the figures laid out for any width

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
    "Table",
    "TierCosts",
    "TornadoBar",
    "UnitEconomics",
    "build_report",
    "for_any_width",
    "format_cell",
    "load_measurements",
    "load_model",
    "measurements_from_result_json",
    "measurements_from_run_result",
    "project",
    "projection_figure",
    "run_scenarios",
    "summary_table",
    "tier_costs",
    "tier_stack_figure",
    "tornado",
    "tornado_figure",
    "unit_costs_figure",
    "unit_economics",
    "unit_table",
    "whatif_figure",
    "wrapped",
]

if TYPE_CHECKING:
    from harness.costs.charts import (
        projection_figure,
        tier_stack_figure,
        tornado_figure,
        unit_costs_figure,
        whatif_figure,
    )
    from harness.costs.figure_layout import for_any_width, wrapped


def __getattr__(name: str) -> Any:
    if name in _LAYOUT:
        return getattr(importlib.import_module("harness.costs.figure_layout"), name)
    if name not in _CHARTS:
        raise AttributeError(f"module 'harness.costs' has no attribute {name!r}")
    return getattr(importlib.import_module("harness.costs.charts"), name)
