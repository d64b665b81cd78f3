"""constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, open model."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harness.executors.arrival_rate import ArrivalRateRuntime
from harness.executors.base import DEFAULT_TIME_UNIT_S, CommonOptions, ExecutorType, WorkerSlice
from harness.executors.scheduling import constant_profile
from harness.executors.saturation import DROP, SaturationPolicy, read_saturation
from harness.executors.saturation import KEYS as SATURATION_KEYS
from harness.parsing.fields import Fields

NAME = "constant-arrival-rate"


@dataclass(frozen=True)
class ConstantArrivalRateConfig:
    common: CommonOptions
    rate: float
    time_unit_s: float
    duration_s: float
    pre_allocated_vus: int
    max_vus: int
    saturation: SaturationPolicy = DROP

    @property
    def capacity_vus(self) -> int:
        return self.max_vus

    @property
    def rate_per_s(self) -> float:
        return self.rate / self.time_unit_s

    def target_rate_per_s(self) -> float | None:
        return self.rate_per_s

    def scaled(self, duration_scale: float) -> ConstantArrivalRateConfig:
        common = dataclasses.replace(self.common, start_time_s=self.common.start_time_s * duration_scale)
        return dataclasses.replace(self, common=common, duration_s=self.duration_s * duration_scale)

    def new_runtime(self, *, worker: WorkerSlice) -> ArrivalRateRuntime:
        return ArrivalRateRuntime(
            scenario=self.common.name,
            segments=constant_profile(rate_per_s=self.rate_per_s, duration_s=self.duration_s),
            first_at_zero=True,
            pre_allocated_vus=self.pre_allocated_vus,
            max_vus=self.max_vus,
            graceful_stop_s=self.common.graceful_stop_s,
            worker=worker,
            saturation=self.saturation,
        )


def read(common: CommonOptions, fields: Fields) -> ConstantArrivalRateConfig | None:
    rate = fields.number("rate", required=True, gt=0)
    time_unit_s = fields.duration_s("timeUnit", default=DEFAULT_TIME_UNIT_S)
    if time_unit_s is not None and time_unit_s <= 0:
        fields.problems.add(fields.key_path("timeUnit"), "must be more than 0, but is 0s")
        time_unit_s = None
    duration_s = fields.duration_s("duration", required=True, min_s=0.001)
    pre = fields.number("preAllocatedVUs", required=True, integer=True, ge=1)
    max_vus = fields.number("maxVUs", default=pre, integer=True, ge=1)
    saturation = read_saturation(fields)
    if pre is not None and max_vus is not None and max_vus < pre:
        fields.problems.add(
            fields.key_path("maxVUs"), f"can't be less than preAllocatedVUs ({pre}), but is {max_vus}"
        )
        return None
    if None in (rate, time_unit_s, duration_s, pre, max_vus, saturation):
        return None
    return ConstantArrivalRateConfig(common, rate, time_unit_s, duration_s, pre, max_vus, saturation)


EXECUTOR = ExecutorType(
    name=NAME,
    keys=("rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs", *SATURATION_KEYS),
    read=read,
    runtime=ArrivalRateRuntime,
)
