"""The runtime both arrival-rate executors share: pre-allocate VUs, dispatch, finish."""

from __future__ import annotations

from harness.executors.base import VuHost, WorkerSlice
from harness.executors.saturation import DROP, SaturationPolicy
from harness.executors.scheduling import ArrivalDispatcher, RateSegment, owned_offsets_s


class ArrivalRateRuntime:
    """Runs a rate profile on this worker's share of the VUs."""

    def __init__(
        self,
        *,
        scenario: str,
        segments: tuple[RateSegment, ...],
        first_at_zero: bool,
        pre_allocated_vus: int,
        max_vus: int,
        graceful_stop_s: float,
        worker: WorkerSlice,
        saturation: SaturationPolicy = DROP,
    ) -> None:
        self.scenario = scenario
        self.segments = segments
        self.first_at_zero = first_at_zero
        self.graceful_stop_s = graceful_stop_s
        self.worker = worker
        self.saturation = saturation
        self.max_vus_total = max_vus
        self.pre_allocated_vus = worker.share(pre_allocated_vus, capacity_vus=max_vus)
        self.max_vus = worker.share(max_vus, capacity_vus=max_vus)
        self.dispatcher: ArrivalDispatcher | None = None

    @property
    def duration_s(self) -> float:
        return sum(segment.duration_s for segment in self.segments)

    def run(self, host: VuHost, *, start_s: float) -> None:
        for _ in range(self.pre_allocated_vus):
            host.start_pooled_vu()
        schedule = owned_offsets_s(
            self.segments,
            first_at_zero=self.first_at_zero,
            worker=self.worker,
            capacity_vus=self.max_vus_total,
        )
        self.dispatcher = ArrivalDispatcher(
            scenario=self.scenario,
            schedule=schedule,
            max_new_vus=max(0, self.max_vus - self.pre_allocated_vus),
            max_vus_total=self.max_vus_total,
            saturation=self.saturation,
        )
        self.dispatcher.run(host, start_s=start_s)
        end_s = start_s + self.duration_s
        if host.clock.now_s() < end_s and not host.stop_requested():
            host.clock.sleep_until(end_s)
        host.finish(deadline_s=max(end_s, host.clock.now_s()) + self.graceful_stop_s)
