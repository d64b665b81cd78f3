"""Helpers of the executors whose VUs loop (shared-iterations, per-vu-iterations, constant-vus,
ramping-vus): this worker's VU indices, and the stop conditions a VU checks between iterations."""

from __future__ import annotations

from collections.abc import Callable

from harness.executors.base import Clock, VuHost, WorkerSlice


def owned_vu_indices(total_vus: int, *, worker: WorkerSlice, capacity_vus: int) -> list[int]:
    return [index for index in range(total_vus) if worker.owns(index, capacity_vus=capacity_vus)]


def until(clock: Clock, end_s: float) -> Callable[[int], bool]:
    """Keep going while the clock is before `end_s`."""
    return lambda _done: clock.now_s() < end_s


class SharedCounter:
    """A fixed number of iterations shared by this worker's VUs, within a time limit."""

    def __init__(self, *, total: int, clock: Clock, end_s: float) -> None:
        self.total = total
        self.taken = 0
        self._clock = clock
        self._end_s = end_s

    def take(self, _done: int) -> bool:
        if self.taken >= self.total or self._clock.now_s() >= self._end_s:
            return False
        self.taken += 1
        return True


def run_looping_vus(
    host: VuHost,
    *,
    vu_indices: list[int],
    keep_going_for: Callable[[int], Callable[[int], bool]],
    deadline_s: float,
) -> None:
    """Start the VUs, then let them finish by `deadline_s` (the end plus gracefulStop)."""
    for vu_index in vu_indices:
        host.start_looping_vu(vu_index=vu_index, keep_going=keep_going_for(vu_index))
    host.finish(deadline_s=deadline_s)
