"""constant-vus: `vus` VUs loop over iterations for `duration`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from harness.executors.base import CommonOptions, ExecutorType, VuHost, WorkerSlice
from harness.executors.looping import owned_vu_indices, run_looping_vus, until
from harness.parsing.fields import Fields

NAME = "constant-vus"


@dataclass(frozen=True)
class ConstantVusConfig:
    common: CommonOptions
    vus: int
    duration_s: float

    @property
    def capacity_vus(self) -> int:
        return self.vus

    def target_rate_per_s(self) -> float | None:
        return None

    def scaled(self, duration_scale: float) -> ConstantVusConfig:
        common = dataclasses.replace(self.common, start_time_s=self.common.start_time_s * duration_scale)
        return dataclasses.replace(self, common=common, duration_s=self.duration_s * duration_scale)

    def new_runtime(self, *, worker: WorkerSlice) -> ConstantVusRuntime:
        return ConstantVusRuntime(self, worker)


class ConstantVusRuntime:
    def __init__(self, config: ConstantVusConfig, worker: WorkerSlice) -> None:
        self.config = config
        self.worker = worker

    def run(self, host: VuHost, *, start_s: float) -> None:
        config = self.config
        end_s = start_s + config.duration_s
        keep_going = until(host.clock, end_s)
        run_looping_vus(
            host,
            vu_indices=owned_vu_indices(config.vus, worker=self.worker, capacity_vus=config.vus),
            keep_going_for=lambda _vu: keep_going,
            deadline_s=end_s + config.common.graceful_stop_s,
        )


def read(common: CommonOptions, fields: Fields) -> ConstantVusConfig | None:
    vus = fields.number("vus", default=1, integer=True, ge=1)
    duration_s = fields.duration_s("duration", required=True, min_s=0.001)
    if None in (vus, duration_s):
        return None
    return ConstantVusConfig(common, vus, duration_s)


EXECUTOR = ExecutorType(name=NAME, keys=("vus", "duration"), read=read, runtime=ConstantVusRuntime)
