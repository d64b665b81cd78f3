"""Baseline comparison: a current run against stored baselines, with noise-aware verdicts.

    from harness.compare import load_run, compare_runs, CompareSettings
    comparison = compare_runs([load_run("baselines/current.json")], load_run("result.json"),
                              settings=CompareSettings())

Names are loaded on first use (PEP 562), so `bwperf` starts without importing the comparison.
`formatting` (the texts every view shows a comparison with) is exported as a module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CompareSettings": "harness.compare.config",
    "load_config": "harness.compare.config",
    "rule_lines": "harness.compare.config",
    "Comparison": "harness.compare.engine",
    "MetricComparison": "harness.compare.engine",
    "PlanMismatchError": "harness.compare.engine",
    "compare_runs": "harness.compare.engine",
    "ALL": "harness.compare.inputs",
    "Direction": "harness.compare.inputs",
    "Kind": "harness.compare.inputs",
    "MetricValue": "harness.compare.inputs",
    "RunMetrics": "harness.compare.inputs",
    "Unit": "harness.compare.inputs",
    "from_k6_ndjson": "harness.compare.k6_inputs",
    "from_k6_summary": "harness.compare.k6_inputs",
    "load_run": "harness.compare.loading",
    "from_result": "harness.compare.result_inputs",
    "Verdict": "harness.compare.rules",
    "judge": "harness.compare.rules",
}

_MODULES = ("formatting",)

__all__ = [
    "ALL",
    "CompareSettings",
    "Comparison",
    "Direction",
    "Kind",
    "MetricComparison",
    "MetricValue",
    "PlanMismatchError",
    "RunMetrics",
    "Unit",
    "Verdict",
    "compare_runs",
    "formatting",
    "from_k6_ndjson",
    "from_k6_summary",
    "from_result",
    "judge",
    "load_config",
    "load_run",
    "rule_lines",
]

if TYPE_CHECKING:
    from harness.compare import formatting
    from harness.compare.config import CompareSettings, load_config, rule_lines
    from harness.compare.engine import (
        Comparison,
        MetricComparison,
        PlanMismatchError,
        compare_runs,
    )
    from harness.compare.inputs import ALL, Direction, Kind, MetricValue, RunMetrics, Unit
    from harness.compare.k6_inputs import from_k6_ndjson, from_k6_summary
    from harness.compare.loading import load_run
    from harness.compare.result_inputs import from_result
    from harness.compare.rules import Verdict, judge


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"harness.compare.{name}")
    if name not in _EXPORTS:
        raise AttributeError(f"module 'harness.compare' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
