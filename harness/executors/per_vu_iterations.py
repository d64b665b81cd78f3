"""per-vu-iterations: each of `vus` VUs runs `iterations` iterations, within `maxDuration`."""

from __future__ import annotations

from dataclasses import dataclass

from harness.executors.base import DEFAULT_MAX_DURATION_S, CommonOptions, ExecutorType, VuHost, WorkerSlice
from harness.executors.iterations_config import IterationsConfig
from harness.executors.looping import owned_vu_indices, run_looping_vus
from harness.parsing.fields import Fields

NAME = "per-vu-iterations"


@dataclass(frozen=True)
class PerVuIterationsConfig(IterationsConfig):
    def new_runtime(self, *, worker: WorkerSlice) -> PerVuIterationsRuntime:
        return PerVuIterationsRuntime(self, worker)


class PerVuIterationsRuntime:
    def __init__(self, config: PerVuIterationsConfig, worker: WorkerSlice) -> None:
        self.config = config
        self.worker = worker

    def run(self, host: VuHost, *, start_s: float) -> None:
        config = self.config
        end_s = start_s + config.max_duration_s
        clock = host.clock

        def keep_going(done: int) -> bool:
            return done < config.iterations and clock.now_s() < end_s

        run_looping_vus(
            host,
            vu_indices=owned_vu_indices(config.vus, worker=self.worker, capacity_vus=config.vus),
            keep_going_for=lambda _vu: keep_going,
            deadline_s=end_s + config.common.graceful_stop_s,
        )


def read(common: CommonOptions, fields: Fields) -> PerVuIterationsConfig | None:
    vus = fields.number("vus", default=1, integer=True, ge=1)
    iterations = fields.number("iterations", default=1, integer=True, ge=1)
    max_duration_s = fields.duration_s("maxDuration", default=DEFAULT_MAX_DURATION_S, min_s=0.001)
    if None in (vus, iterations, max_duration_s):
        return None
    return PerVuIterationsConfig(common, vus, iterations, max_duration_s)


EXECUTOR = ExecutorType(
    name=NAME, keys=("vus", "iterations", "maxDuration"), read=read, runtime=PerVuIterationsRuntime
)
