"""The machine's own state: a saturated load generator, or a host busy with something else."""

from __future__ import annotations

from harness.insights.model import Insight, span_text
from harness.results.model import RunResult

GENERATOR_PREFIX = "generator: "


def generator_saturated(result: RunResult) -> list[Insight]:
    g = result.generator
    if not g.saturated:
        return []
    reasons = g.reasons or ["no reason recorded"]
    title = "Load generator saturated: " + "; ".join(reasons)
    evidence = [f"{p.role} CPU {p.cpu_percent_avg:.0f} % avg, {p.cpu_percent_max:.0f} % max" for p in g.processes]
    if g.lag_p99_ms is not None:
        evidence.append(f"start lag p99 {g.lag_p99_ms:.1f} ms")
    return [Insight("generator_saturated", "critical", title, tuple(evidence))]


def host_busy(result: RunResult) -> list[Insight]:
    """The measurement health's host reasons (the generator's are `generator_saturated`'s)."""
    health = result.health
    if health is None or health.verdict != "degraded":
        return []
    reasons = [r for r in health.reasons if not r.startswith(GENERATOR_PREFIX)]
    if not reasons:
        return []
    bad = [w for w in health.windows if w.reasons]
    evidence = tuple(f"window {span_text(w.t_s, w.t_s + w.duration_s)}: " + "; ".join(w.reasons) for w in bad)
    start = bad[0].t_s if bad else None
    end = bad[-1].t_s + bad[-1].duration_s if bad else None
    return [Insight("host_busy", "warning", "Host busy during the measurement: " + "; ".join(reasons),
                    evidence, None, start, end)]
