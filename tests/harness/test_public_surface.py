"""The public names of the harness's top-level modules (the errors and the thresholds) are pinned."""

from __future__ import annotations

import harness.errors
import harness.thresholds


def test_the_errors_exported_names() -> None:
    assert set(harness.errors.__all__) == {
        "EXIT_CHECK_FAILED", "EXIT_ENGINE", "EXIT_INCONCLUSIVE", "EXIT_INPUT", "EXIT_INTERRUPTED", "EXIT_OK",
        "EXIT_REGRESSION", "EXIT_SCRIPT_ERROR", "EXIT_THRESHOLDS_FAILED", "BwperfError", "EngineError", "InputError", "PlanError",
        "ResultFileError", "SetupError", "TargetError", "exit_code_for",
    }  # fmt: skip


def test_the_thresholds_exported_names() -> None:
    assert set(harness.thresholds.__all__) == {
        "LatencyLimit", "MetricSource", "ThresholdOutcome", "ThresholdSpec", "ThresholdSyntaxError",
        "aggregation_allowed", "evaluate", "latency_limits", "make_spec", "parse_expression", "parse_key",
    }  # fmt: skip


def test_every_exported_name_exists() -> None:
    for module in (harness.errors, harness.thresholds):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
