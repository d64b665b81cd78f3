"""The measurement-health verdict as people read it, the same in every view."""

from __future__ import annotations

from harness.results.model import HostConditions, MeasurementHealth


FIGURES = (  # (field, label, format): the order every view shows them in
    ("cpu_pressure_some_pct", "host CPU pressure", "{:.0f} %"),
    ("other_cpu_cores", "other processes", "{:.2f} cores"),
    ("generator_cpu_cores", "generator", "{:.2f} cores"),
    ("system_cpu_cores", "system under test", "{:.2f} cores"),
    ("steal_pct", "steal", "{:.1f} %"),
    ("load_avg_1m", "load", "{:.1f}"),
)


def conditions_text(conditions: HostConditions) -> str:
    """`host CPU pressure 3 %, other processes 0.05 cores, ..., load 1.2` (figures not reported are left out)."""
    parts = [f"{label} {form.format(value)}" for field, label, form in FIGURES
             if (value := getattr(conditions, field)) is not None]
    return ", ".join(parts) or "no host figures"


def health_line(health: MeasurementHealth | None) -> str:
    """`clean (host CPU pressure 3 %, ...)` or `DEGRADED: reason; reason`."""
    if health is None:
        return "not recorded (a result from before measurement health)"
    if health.verdict == "clean":
        return f"clean ({conditions_text(health.total)})"
    return "DEGRADED: " + "; ".join(health.reasons)
