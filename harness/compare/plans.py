"""Plan fingerprints: what two runs must share to be compared, and how they differ.

A fingerprint is a flat mapping (`scenarios`, `scenario.<name>.executor`,
`scenario.<name>.rate_per_s`, `scenario.<name>.duration_s`, `profile`, ...). Only keys both runs
know are compared: a k6 NDJSON file knows its scenarios but not their rates, so against one of
ours only the scenario set is checked (and the report says so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_REL_TOL = 0.005  # 0.5 %: measured durations wobble by milliseconds, planned rates do not


@dataclass(frozen=True)
class PlanDifference:
    key: str
    baseline: Any
    current: Any

    def describe(self) -> str:
        if self.key == "scenarios":
            only_baseline = sorted(set(self.baseline) - set(self.current))
            only_current = sorted(set(self.current) - set(self.baseline))
            parts = []
            if only_baseline:
                parts.append(f"only in the baseline: {', '.join(only_baseline)}")
            if only_current:
                parts.append(f"only in the current run: {', '.join(only_current)}")
            return f"scenarios: {'; '.join(parts)}"
        return f"{self.key}: baseline {_show(self.baseline)}, current {_show(self.current)}"


def diff_plans(baseline: Mapping[str, Any], current: Mapping[str, Any], *, rel_tol: float = DEFAULT_REL_TOL) -> list[PlanDifference]:
    """Every difference between two fingerprints, in key order (keys only one side knows are skipped,
    and so are a scenario's details when that scenario is missing on one side)."""
    shared_scenarios = set(baseline.get("scenarios", ())) & set(current.get("scenarios", ()))
    differences = []
    for key in sorted(set(baseline) & set(current)):
        if key.startswith("scenario.") and key.split(".")[1] not in shared_scenarios:
            continue
        if not _same(baseline[key], current[key], rel_tol=rel_tol):
            differences.append(PlanDifference(key=key, baseline=baseline[key], current=current[key]))
    return differences


def shared_plan_keys(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    return sorted(set(baseline) & set(current))


def _same(a: Any, b: Any, *, rel_tol: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
