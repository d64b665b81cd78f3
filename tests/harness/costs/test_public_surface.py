"""The package's public names are pinned, and importing it does not load the chart stack."""

from __future__ import annotations

import subprocess
import sys

import harness.costs


def test_exported_names() -> None:
    assert sorted(harness.costs.__all__) == sorted([
        "DEFAULT_MODEL_PATH", "Adjustments", "CompareFileError", "CostError", "CostLine", "CostModel",
        "CostReport", "Measurements", "ModelFileError", "Projection", "ResultFileError", "ScenarioResult", "Table",
        "TierCosts", "TornadoBar", "UnitEconomics", "build_report", "format_cell", "load_measurements",
        "load_model", "measurements_from_result_json", "measurements_from_run_result", "project",
        "projection_figure", "run_scenarios", "summary_table", "tier_costs", "tier_stack_figure", "tornado",
        "tornado_figure", "unit_costs_figure", "unit_economics", "unit_table", "whatif_figure", "for_any_width", "wrapped",
    ])  # fmt: skip
    for name in harness.costs.__all__:
        assert getattr(harness.costs, name) is not None


def test_import_does_not_load_plotly_or_openpyxl() -> None:
    code = "import sys, harness.costs; print('plotly' in sys.modules, 'openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
