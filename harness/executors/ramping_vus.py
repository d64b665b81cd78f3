"""ramping-vus: the number of looping VUs follows `stages` linearly from `startVUs`.

The count changes exactly when the line crosses a whole number (up: at level i when the line
reaches i; down: when it reaches i, leaving i VUs), so `vu_steps` is a pure list of (offset, VUs)
that tests check exactly. VUs removed by a ramp-down finish their iteration within
`gracefulRampDown`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harness.executors.base import (
    DEFAULT_GRACEFUL_RAMP_DOWN_S,
    CommonOptions,
    ExecutorType,
    Stage,
    VuHost,
    WorkerSlice,
    read_stages,
    scale_stages,
    total_stage_duration_s,
)
from harness.executors.looping import owned_vu_indices, until
from harness.parsing.fields import Fields

NAME = "ramping-vus"


def vu_steps(start_vus: int, stages: tuple[Stage, ...]) -> list[tuple[float, int]]:
    """Every change of the VU count: (offset from the start, VUs from then on)."""
    steps: list[tuple[float, int]] = [(0.0, start_vus)]
    level = start_vus
    stage_start_s = 0.0
    for stage in stages:
        target = int(stage.target)
        if stage.duration_s <= 0:
            if target != level:
                steps.append((stage_start_s, target))
        elif target > level:
            for vus in range(level + 1, target + 1):
                steps.append((stage_start_s + stage.duration_s * (vus - level) / (target - level), vus))
        elif target < level:
            for vus in range(level - 1, target - 1, -1):
                steps.append((stage_start_s + stage.duration_s * (level - vus) / (level - target), vus))
        level = target
        stage_start_s += stage.duration_s
    return steps


@dataclass(frozen=True)
class RampingVusConfig:
    common: CommonOptions
    start_vus: int
    stages: tuple[Stage, ...]
    graceful_ramp_down_s: float

    @property
    def capacity_vus(self) -> int:
        return max([self.start_vus] + [int(stage.target) for stage in self.stages])

    @property
    def duration_s(self) -> float:
        return total_stage_duration_s(self.stages)

    def target_rate_per_s(self) -> float | None:
        return None

    def scaled(self, duration_scale: float) -> RampingVusConfig:
        common = dataclasses.replace(self.common, start_time_s=self.common.start_time_s * duration_scale)
        return dataclasses.replace(self, common=common, stages=scale_stages(self.stages, duration_scale))

    def new_runtime(self, *, worker: WorkerSlice) -> RampingVusRuntime:
        return RampingVusRuntime(self, worker)


class RampingVusRuntime:
    def __init__(self, config: RampingVusConfig, worker: WorkerSlice) -> None:
        self.config = config
        self.worker = worker

    def run(self, host: VuHost, *, start_s: float) -> None:
        config = self.config
        clock = host.clock
        end_s = start_s + config.duration_s
        capacity = config.capacity_vus
        keep_going = until(clock, end_s)
        running = 0
        for offset_s, vus in vu_steps(config.start_vus, config.stages):
            at_s = start_s + offset_s
            if clock.now_s() < at_s:
                clock.sleep_until(at_s)
            if host.stop_requested() or clock.now_s() >= end_s and offset_s < config.duration_s:
                break
            if vus > running:
                for vu_index in owned_vu_indices(vus, worker=self.worker, capacity_vus=capacity)[
                    len(owned_vu_indices(running, worker=self.worker, capacity_vus=capacity)) :
                ]:
                    host.start_looping_vu(vu_index=vu_index, keep_going=keep_going)
            elif vus < running:
                leaving = [i for i in range(vus, running) if self.worker.owns(i, capacity_vus=capacity)]
                host.stop_looping_vus(vu_indices=leaving, grace_s=config.graceful_ramp_down_s)
            running = vus
        if clock.now_s() < end_s and not host.stop_requested():
            clock.sleep_until(end_s)
        host.finish(deadline_s=max(end_s, clock.now_s()) + config.common.graceful_stop_s)


def read(common: CommonOptions, fields: Fields) -> RampingVusConfig | None:
    start_vus = fields.number("startVUs", default=1, integer=True, ge=0)
    stages = read_stages(fields, integer_target=True)
    ramp_down_s = fields.duration_s("gracefulRampDown", default=DEFAULT_GRACEFUL_RAMP_DOWN_S)
    if stages and total_stage_duration_s(stages) <= 0:
        fields.problems.add(fields.key_path("stages"), "must last longer than 0s in total, but last 0s")
        return None
    if stages and start_vus is not None and max([start_vus] + [int(s.target) for s in stages]) < 1:
        fields.problems.add(fields.key_path("stages"), "must reach at least 1 VU, but never do")
        return None
    if None in (start_vus, ramp_down_s) or not stages:
        return None
    return RampingVusConfig(common, start_vus, stages, ramp_down_s)


EXECUTOR = ExecutorType(
    name=NAME, keys=("startVUs", "stages", "gracefulRampDown"), read=read, runtime=RampingVusRuntime
)

