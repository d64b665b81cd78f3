"""The measurement-health verdict as people read it, the same in every view."""

from __future__ import annotations

from harness.results.model import HostConditions, MeasurementHealth


def conditions_text(conditions: HostConditions) -> str:
    """`host CPU pressure 3 %, other processes 0.05 cores, steal 0.0 %, load 1.2`"""
    parts = []
    if conditions.cpu_pressure_some_pct is not None:
        parts.append(f"host CPU pressure {conditions.cpu_pressure_some_pct:.0f} %")
    if conditions.other_cpu_cores is not None:
        parts.append(f"other processes {conditions.other_cpu_cores:.2f} cores")
    if conditions.generator_cpu_cores is not None:
        parts.append(f"generator {conditions.generator_cpu_cores:.2f} cores")
    if conditions.system_cpu_cores is not None:
        parts.append(f"system under test {conditions.system_cpu_cores:.2f} cores")
    if conditions.steal_pct is not None:
        parts.append(f"steal {conditions.steal_pct:.1f} %")
    if conditions.load_avg_1m is not None:
        parts.append(f"load {conditions.load_avg_1m:.1f}")
    return ", ".join(parts) or "no host figures"


def health_line(health: MeasurementHealth | None) -> str:
    """`clean (host CPU pressure 3 %, ...)` or `DEGRADED: reason; reason`."""
    if health is None:
        return "not recorded (a result from before measurement health)"
    if health.verdict == "clean":
        return f"clean ({conditions_text(health.total)})"
    return "DEGRADED: " + "; ".join(health.reasons)
