"""shared-iterations: `iterations` in total, shared by `vus` VUs, within `maxDuration`."""

from __future__ import annotations

from dataclasses import dataclass

from harness.executors.base import DEFAULT_MAX_DURATION_S, CommonOptions, ExecutorType, VuHost, WorkerSlice
from harness.executors.iterations_config import IterationsConfig
from harness.executors.looping import SharedCounter, owned_vu_indices, run_looping_vus
from harness.parsing.fields import Fields

NAME = "shared-iterations"


@dataclass(frozen=True)
class SharedIterationsConfig(IterationsConfig):
    def new_runtime(self, *, worker: WorkerSlice) -> SharedIterationsRuntime:
        return SharedIterationsRuntime(self, worker)


class SharedIterationsRuntime:
    def __init__(self, config: SharedIterationsConfig, worker: WorkerSlice) -> None:
        self.config = config
        self.worker = worker
        self.counter: SharedCounter | None = None

    def run(self, host: VuHost, *, start_s: float) -> None:
        config = self.config
        end_s = start_s + config.max_duration_s
        self.counter = SharedCounter(
            total=self.worker.share(config.iterations, capacity_vus=config.vus), clock=host.clock, end_s=end_s
        )
        counter = self.counter
        run_looping_vus(
            host,
            vu_indices=owned_vu_indices(config.vus, worker=self.worker, capacity_vus=config.vus),
            keep_going_for=lambda _vu: counter.take,
            deadline_s=end_s + config.common.graceful_stop_s,
        )


def read(common: CommonOptions, fields: Fields) -> SharedIterationsConfig | None:
    vus = fields.number("vus", default=1, integer=True, ge=1)
    iterations = fields.number("iterations", default=1, integer=True, ge=1)
    max_duration_s = fields.duration_s("maxDuration", default=DEFAULT_MAX_DURATION_S, min_s=0.001)
    if vus is not None and iterations is not None and vus > iterations:
        fields.problems.add(
            fields.key_path("vus"), f"can't be more than the number of iterations ({iterations}), but is {vus}"
        )
        return None
    if None in (vus, iterations, max_duration_s):
        return None
    return SharedIterationsConfig(common, vus, iterations, max_duration_s)


EXECUTOR = ExecutorType(
    name=NAME, keys=("vus", "iterations", "maxDuration"), read=read, runtime=SharedIterationsRuntime
)
