"""The one scheduling core of both arrival-rate executors (k6's TODO, built once).

A rate profile is a list of linear segments (constant-arrival-rate: one flat segment; ramping:
one per stage). Iteration n starts when the area under the rate curve reaches n: for a constant
rate r that is n / r; inside a linear ramp it is the root of a quadratic. Offsets are absolute
from the scenario's start, so there is no drift however late a previous start was.

`ArrivalDispatcher` walks the offsets this worker owns, sleeps until each, then hands a ticket to
an idle VU or counts a dropped iteration (warning once when maxVUs is reached). Every dropped
iteration asks for one more VU while fewer than maxVUs run, as k6 does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from harness.executors.base import Stage, Ticket, VuHost, WorkerSlice
from harness.executors.saturation import DROP, SaturationPolicy

_EPSILON = 1e-9


@dataclass(frozen=True)
class RateSegment:
    duration_s: float
    start_rate_per_s: float
    end_rate_per_s: float

    @property
    def area(self) -> float:
        return self.duration_s * (self.start_rate_per_s + self.end_rate_per_s) / 2.0

    def time_at_area_s(self, area: float) -> float:
        """Time into the segment at which `area` iterations have accumulated."""
        a = self.start_rate_per_s
        k = (self.end_rate_per_s - a) / (2.0 * self.duration_s)
        # root of k t^2 + a t - area = 0, in the form that stays exact when k -> 0
        root = math.sqrt(max(0.0, a * a + 4.0 * k * area))
        denominator = a + root
        return 0.0 if denominator <= 0.0 else 2.0 * area / denominator


def constant_profile(*, rate_per_s: float, duration_s: float) -> tuple[RateSegment, ...]:
    return (RateSegment(duration_s, rate_per_s, rate_per_s),)


def ramping_profile(
    *, start_rate_per_s: float, stages: tuple[Stage, ...], time_unit_s: float
) -> tuple[RateSegment, ...]:
    segments = []
    rate = start_rate_per_s
    for stage in stages:
        target = stage.target / time_unit_s
        segments.append(RateSegment(stage.duration_s, rate, target))
        rate = target
    return tuple(segments)


def arrival_offsets_s(segments: tuple[RateSegment, ...], *, first_at_zero: bool) -> Iterator[float]:
    """Start offsets of every iteration of the profile, in order.

    `first_at_zero` (constant-arrival-rate): iterations at area 0, 1, 2, ... strictly before the
    end. Otherwise (ramping-arrival-rate, as k6): at area 1, 2, ... up to and including the end.
    """
    n = 0 if first_at_zero else 1
    done_area = 0.0
    segment_start_s = 0.0
    last = len(segments) - 1
    for position, segment in enumerate(segments):
        end_area = done_area + segment.area
        while True:
            inside = n - done_area
            if first_at_zero and position == last:
                if n >= end_area - _EPSILON:
                    break
            elif n > end_area + _EPSILON:
                break
            if segment.duration_s <= 0.0:
                break
            offset = segment.time_at_area_s(max(0.0, inside))
            yield segment_start_s + min(offset, segment.duration_s)
            n += 1
        done_area = end_area
        segment_start_s += segment.duration_s


def owned_offsets_s(
    segments: tuple[RateSegment, ...], *, first_at_zero: bool, worker: WorkerSlice, capacity_vus: int
) -> Iterator[tuple[int, float]]:
    """(global index, offset) of the iterations this worker owns (i % W == k)."""
    offsets = arrival_offsets_s(segments, first_at_zero=first_at_zero)
    workers = worker.active_workers(capacity_vus)
    if workers == 1:  # one process owns every iteration
        yield from enumerate(offsets)
        return
    for index, offset in enumerate(offsets):
        if worker.owns(index, capacity_vus=capacity_vus):
            yield index, offset


@dataclass
class DispatchCounts:
    started: int = 0
    queued: int = 0  # of the started ones: handed to the queue first (saturation: queue)
    dropped: int = 0
    vus_added: int = 0


class ArrivalDispatcher:
    """Hands each scheduled iteration to an idle VU, or counts it dropped."""

    def __init__(
        self,
        *,
        scenario: str,
        schedule: Iterator[tuple[int, float]],
        max_new_vus: int,
        max_vus_total: int,
        saturation: SaturationPolicy = DROP,
    ) -> None:
        self._scenario = scenario
        self._saturation = saturation
        self._schedule = schedule
        self._max_new_vus = max_new_vus
        self._max_vus_total = max_vus_total
        self._at_max_vus = False  # once maxVUs is reached (and warned), a drop only counts
        self.counts = DispatchCounts()

    def run(self, host: VuHost, *, start_s: float) -> DispatchCounts:
        # The loop runs once per scheduled iteration (thousands a second): names are bound once.
        clock, counts, scenario = host.clock, self.counts, self._scenario
        now_s, sleep_until, stop_requested, try_hand = clock.now_s, clock.sleep_until, host.stop_requested, host.try_hand
        queues, max_queued = self._saturation.queues, self._saturation.max_queued
        for index, offset_s in self._schedule:
            scheduled_s = start_s + offset_s
            if now_s() < scheduled_s:
                sleep_until(scheduled_s)
            if stop_requested():
                break
            ticket = Ticket(scenario, index, scheduled_s)
            if try_hand(ticket):
                counts.started += 1
                continue
            if queues and host.enqueue(ticket, limit=max_queued):
                counts.queued += 1  # a VU takes it when one is free (or it is dropped at the end)
            else:
                counts.dropped += 1
                host.record_drop(ticket)
            if not self._at_max_vus:
                self._grow(host)
        return counts

    def _grow(self, host: VuHost) -> None:
        if self.counts.vus_added >= self._max_new_vus:
            self._at_max_vus = True
            fate = "wait in a queue for a free VU" if self._saturation.queues else "are being dropped"
            host.warn_once(
                f"{self._scenario}:max_vus",
                f"scenario {self._scenario}: insufficient VUs, reached {self._max_vus_total} "
                f"active VUs and cannot initialize more; iterations {fate}",
            )
            return
        if host.start_pooled_vu():
            self.counts.vus_added += 1
