"""ramping-arrival-rate: the iteration rate follows `stages` linearly from `startRate`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harness.executors.arrival_rate import ArrivalRateRuntime
from harness.executors.base import (
    DEFAULT_TIME_UNIT_S,
    CommonOptions,
    ExecutorType,
    Stage,
    WorkerSlice,
    read_stages,
    scale_stages,
    total_stage_duration_s,
)
from harness.executors.scheduling import ramping_profile
from harness.executors.saturation import DROP, SaturationPolicy, read_saturation
from harness.executors.saturation import KEYS as SATURATION_KEYS
from harness.parsing.fields import Fields

NAME = "ramping-arrival-rate"


@dataclass(frozen=True)
class RampingArrivalRateConfig:
    common: CommonOptions
    start_rate: float
    time_unit_s: float
    stages: tuple[Stage, ...]
    pre_allocated_vus: int
    max_vus: int
    saturation: SaturationPolicy = DROP

    @property
    def capacity_vus(self) -> int:
        return self.max_vus

    @property
    def duration_s(self) -> float:
        return total_stage_duration_s(self.stages)

    def target_rate_per_s(self) -> float | None:
        """The mean target rate over the whole profile (total iterations / duration)."""
        segments = ramping_profile(
            start_rate_per_s=self.start_rate / self.time_unit_s, stages=self.stages, time_unit_s=self.time_unit_s
        )
        duration_s = self.duration_s
        return sum(s.area for s in segments) / duration_s if duration_s > 0 else None

    def scaled(self, duration_scale: float) -> RampingArrivalRateConfig:
        common = dataclasses.replace(self.common, start_time_s=self.common.start_time_s * duration_scale)
        return dataclasses.replace(self, common=common, stages=scale_stages(self.stages, duration_scale))

    def new_runtime(self, *, worker: WorkerSlice) -> ArrivalRateRuntime:
        return ArrivalRateRuntime(
            scenario=self.common.name,
            segments=ramping_profile(
                start_rate_per_s=self.start_rate / self.time_unit_s,
                stages=self.stages,
                time_unit_s=self.time_unit_s,
            ),
            first_at_zero=False,
            pre_allocated_vus=self.pre_allocated_vus,
            max_vus=self.max_vus,
            graceful_stop_s=self.common.graceful_stop_s,
            worker=worker,
            saturation=self.saturation,
        )


def read(common: CommonOptions, fields: Fields) -> RampingArrivalRateConfig | None:
    start_rate = fields.number("startRate", default=0.0, ge=0)
    time_unit_s = fields.duration_s("timeUnit", default=DEFAULT_TIME_UNIT_S)
    if time_unit_s is not None and time_unit_s <= 0:
        fields.problems.add(fields.key_path("timeUnit"), "must be more than 0, but is 0s")
        time_unit_s = None
    stages = read_stages(fields, integer_target=False)
    pre = fields.number("preAllocatedVUs", required=True, integer=True, ge=1)
    max_vus = fields.number("maxVUs", default=pre, integer=True, ge=1)
    saturation = read_saturation(fields)
    if pre is not None and max_vus is not None and max_vus < pre:
        fields.problems.add(
            fields.key_path("maxVUs"), f"can't be less than preAllocatedVUs ({pre}), but is {max_vus}"
        )
        return None
    if stages and total_stage_duration_s(stages) <= 0:
        fields.problems.add(fields.key_path("stages"), "must last longer than 0s in total, but last 0s")
        return None
    if None in (start_rate, time_unit_s, pre, max_vus, saturation) or not stages:
        return None
    return RampingArrivalRateConfig(common, start_rate, time_unit_s, stages, pre, max_vus, saturation)


EXECUTOR = ExecutorType(
    name=NAME,
    keys=("startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs", *SATURATION_KEYS),
    read=read,
    runtime=ArrivalRateRuntime,
)
