"""Baseline comparison: a current run against stored baselines, with noise-aware verdicts.

    from harness.compare import load_run, compare_runs, CompareSettings
    comparison = compare_runs([load_run("baselines/current.json")], load_run("result.json"),
                              settings=CompareSettings())
"""

from harness.compare.config import CompareSettings, load_config, rule_lines
from harness.compare.engine import Comparison, MetricComparison, PlanMismatchError, compare_runs
from harness.compare.inputs import Direction, Kind, MetricValue, RunMetrics, Unit
from harness.compare.k6_inputs import from_k6_ndjson, from_k6_summary
from harness.compare.loading import load_run
from harness.compare.result_inputs import from_result
from harness.compare.rules import Verdict, judge

__all__ = [
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
    "from_k6_ndjson",
    "from_k6_summary",
    "from_result",
    "judge",
    "load_config",
    "load_run",
    "rule_lines",
]
