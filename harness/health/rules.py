"""When is a measurement degraded? Pure rules over host conditions and the generator's figures.

A sample window is degraded when the machine was busy with something other than the test:

    host CPU pressure (PSI some) > 15 %     runnable tasks waited for a CPU (our own stack alone
                                            stays at 3-6 % on 2 cores at the baseline plan's load;
                                            a 1.5-core neighbour takes it to 18-25 %)
    other processes' CPU > half the CPUs    neighbours: host busy CPU less the generator and the
                                            system under test (when its processes are known); below
                                            half the host they leave room, and PSI tells if they did not
    steal > 5 %                             the hypervisor ran other guests on our CPUs
    memory pressure (PSI full) > 5 %        every task stalled on memory (reclaim, swap)
    IO pressure (PSI full) > 25 %           every task stalled on IO

The run is degraded when degraded windows cover more than 5 % of the load phase, when the load
phase as a whole crosses a limit, or when the generator itself saturated (start lag, CPU, drops:
`harness.health.generator`). A single blip is listed with its window but does not condemn the run;
the comparison still weighs it against the quantile it could move (`degraded_share_limit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from harness.results.model import HostConditions, MeasurementHealth


OTHER_CPU_SHARE = 0.5  # of the host's CPUs


@dataclass(frozen=True)
class HealthLimits:
    cpu_pressure_some_pct: float = 15.0
    other_cpu_cores: float = OTHER_CPU_SHARE * 2  # for 2 CPUs; `for_cpus` scales it
    steal_pct: float = 5.0
    memory_pressure_full_pct: float = 5.0
    io_pressure_full_pct: float = 25.0
    degraded_share: float = 0.05

    @classmethod
    def for_cpus(cls, cpu_count: int) -> HealthLimits:
        return cls(other_cpu_cores=OTHER_CPU_SHARE * max(1, cpu_count))

    def as_dict(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


DEFAULT_LIMITS = HealthLimits()


@dataclass(frozen=True)
class _Check:
    field: str  # of HostConditions and of HealthLimits
    label: str
    unit: str  # " %" or " cores"
    digits: int


CHECKS = (
    _Check("cpu_pressure_some_pct", "host CPU pressure", " %", 0),
    _Check("other_cpu_cores", "other processes' CPU", " cores", 2),
    _Check("steal_pct", "CPU steal", " %", 1),
    _Check("memory_pressure_full_pct", "memory pressure", " %", 0),
    _Check("io_pressure_full_pct", "IO pressure", " %", 0),
)


def tripped(conditions: HostConditions, *, limits: HealthLimits = DEFAULT_LIMITS) -> list[tuple[_Check, float, float]]:
    """The checks these conditions fail, with (value, limit)."""
    found = []
    for check in CHECKS:
        value, limit = getattr(conditions, check.field), getattr(limits, check.field)
        if value is not None and value > limit:
            found.append((check, float(value), float(limit)))
    return found


def window_reasons(conditions: HostConditions, *, limits: HealthLimits = DEFAULT_LIMITS) -> list[str]:
    """Why these conditions make a measurement untrustworthy (empty: clean)."""
    return [f"{c.label} {value:.{c.digits}f}{c.unit} (limit {limit:.{c.digits}f}{c.unit})"
            for c, value, limit in tripped(conditions, limits=limits)]


def judged(conditions: HostConditions, *, limits: HealthLimits = DEFAULT_LIMITS) -> HostConditions:
    return conditions.model_copy(update={"reasons": window_reasons(conditions, limits=limits)})


def degraded_seconds(windows: Sequence[HostConditions], *, start_s: float = 0.0, end_s: float = float("inf")) -> tuple[float, float]:
    """(degraded seconds, observed seconds) of the windows' overlap with [start_s, end_s)."""
    degraded = observed = 0.0
    for window in windows:
        overlap = min(end_s, window.t_s + window.duration_s) - max(start_s, window.t_s)
        if overlap <= 0:
            continue
        observed += overlap
        if window.reasons:
            degraded += overlap
    return degraded, observed


def run_reasons(
    windows: Sequence[HostConditions], total: HostConditions, *, generator_reasons: Sequence[str],
    limits: HealthLimits = DEFAULT_LIMITS,
) -> list[str]:
    """The run's verdict: empty means clean."""
    reasons = [f"generator: {reason}" for reason in generator_reasons]
    reasons += [f"over the load phase: {reason}" for reason in window_reasons(total, limits=limits)]
    degraded, observed = degraded_seconds(windows)
    if observed > 0 and degraded / observed > limits.degraded_share:
        bad = [w for w in windows if w.reasons]
        what = []
        for check in CHECKS:
            values = [v for w in bad for c, v, _ in tripped(w, limits=limits) if c is check]
            if values:
                what.append(f"{check.label} up to {max(values):.{check.digits}f}{check.unit} in {len(values)}")
        reasons.append(
            f"{len(bad)} of {len(windows)} sample windows degraded ({100 * degraded / observed:.0f} % of the load phase, "
            f"limit {100 * limits.degraded_share:g} %): {'; '.join(what)}"
        )
    return reasons


def degraded_share_limit(quantile_pct: float | None) -> float:
    """How much of a metric's time may be degraded before it can no longer be trusted: a change of
    the q-th percentile can come from (100 - q) % of the samples, so half of that share is enough
    to move it (p99: 0.5 %, p95: 2.5 %); other metrics, and the median, 5 %."""
    if quantile_pct is None:
        return DEFAULT_LIMITS.degraded_share
    return min(DEFAULT_LIMITS.degraded_share, (100.0 - quantile_pct) / 200.0)


def with_generator(health: MeasurementHealth, generator_reasons: Sequence[str]) -> MeasurementHealth:
    """The host's verdict joined with the generator's own (saturation is judged after the run)."""
    reasons = [f"generator: {reason}" for reason in generator_reasons] + [
        r for r in health.reasons if not r.startswith("generator: ")]
    return health.model_copy(update={"reasons": reasons, "verdict": "degraded" if reasons else "clean"})
