"""Generator health: was the load generator, not the server, the bottleneck?

Flags a saturated generator with the reasons: iteration lag p99 above a limit, a process near
100 % of a core, or dropped iterations although the VUs a scenario needed (rate x iteration
duration, Little's law) were well below those it had, and no response was slow enough to hold
them all (rate x the slowest response >= maxVUs: a stall of the server, such as a PostgreSQL
pause, holds every VU while most iterations stay fast; issue 18 read that as a slow generator).
"""

from __future__ import annotations

from dataclasses import dataclass

LAG_P99_LIMIT_MS = 50.0
CPU_SATURATED_PERCENT = 90.0
IDLE_VU_SHARE = 0.5


@dataclass(frozen=True)
class CpuReading:
    role: str
    pid: int
    avg_percent: float
    max_percent: float


@dataclass(frozen=True)
class ScenarioLoad:
    name: str
    dropped: int
    target_rate_per_s: float | None
    iteration_p95_ms: float | None
    max_vus: int
    slowest_response_ms: float | None = None  # the server's worst answer, as the VUs waited for it


def server_held_the_vus(load: ScenarioLoad) -> bool:
    """At the target rate, the slowest response alone kept every VU busy: drops are the server's."""
    if load.slowest_response_ms is None or load.target_rate_per_s is None:
        return False
    return load.target_rate_per_s * load.slowest_response_ms / 1000.0 >= load.max_vus


def saturation_reasons(
    *, lag_p99_ms: float | None, cpu: list[CpuReading], scenarios: list[ScenarioLoad]
) -> list[str]:
    reasons = []
    if lag_p99_ms is not None and lag_p99_ms > LAG_P99_LIMIT_MS:
        reasons.append(
            f"iteration start lag p99 is {lag_p99_ms:.1f} ms (limit {LAG_P99_LIMIT_MS:.0f} ms): "
            "iterations started late"
        )
    for reading in cpu:
        if reading.avg_percent >= CPU_SATURATED_PERCENT:
            reasons.append(
                f"{reading.role} process {reading.pid} used {reading.avg_percent:.0f} % of a core on "
                f"average (limit {CPU_SATURATED_PERCENT:.0f} %)"
            )
    for load in scenarios:
        if load.dropped <= 0 or load.target_rate_per_s is None or load.iteration_p95_ms is None:
            continue
        if server_held_the_vus(load):
            continue
        needed_vus = load.target_rate_per_s * load.iteration_p95_ms / 1000.0
        if needed_vus < IDLE_VU_SHARE * load.max_vus:
            reasons.append(
                f"scenario {load.name} dropped {load.dropped} iterations although it needed about "
                f"{needed_vus:.1f} of its {load.max_vus} VUs (server fast, generator slow)"
            )
    return reasons
