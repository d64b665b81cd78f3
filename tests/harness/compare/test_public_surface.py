"""The names other areas import (the dashboard, the reports) stay importable, and lazily so."""

from __future__ import annotations

import subprocess
import sys

import harness.baselines
import harness.compare


def test_exported_names() -> None:
    assert set(harness.compare.__all__) == {
        "ALL", "CompareSettings", "Comparison", "Direction", "Kind", "MetricComparison", "MetricValue",
        "PlanMismatchError", "RunMetrics", "Unit", "Verdict", "compare_runs", "formatting", "from_k6_ndjson",
        "from_k6_summary", "from_result", "judge", "load_config", "load_run", "rule_lines",
    }  # fmt: skip
    assert set(harness.baselines.__all__) == {
        "RUNS_DIR_NAME", "ChangePoint", "ChangePointOptions", "History", "HistoryRow", "Series", "SeriesPoint",
        "Split", "detect_change_points", "find_change_points", "list_baselines", "load_history", "promote",
        "record_run", "row_from_run",
    }  # fmt: skip


def test_exported_names_resolve() -> None:
    for package in (harness.compare, harness.baselines):
        for name in package.__all__:
            assert getattr(package, name) is not None, name


def test_dashboard_entry_points_exist() -> None:
    from harness.baselines import ChangePoint, detect_change_points, load_history

    assert callable(load_history) and callable(detect_change_points) and ChangePoint.__name__ == "ChangePoint"


def test_importing_the_commands_does_not_import_the_engines() -> None:
    probe = (
        "import sys, harness.gate.cli, harness.baselines.cli;"
        "print(sorted(m for m in ('ruptures', 'scipy', 'harness.compare.engine', 'harness.results') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
