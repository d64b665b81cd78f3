"""What an arrival-rate scenario does with an iteration whose scheduled start finds no free VU.

    saturation: drop    k6's behaviour (the default): the iteration is not run and is counted in
                        `dropped_iterations`; the percentiles never see the users who would have
                        arrived then (coordinated omission).
    saturation: queue   wrk2's behaviour: the iteration waits, first in first out, for the next free
                        VU and starts late; `iteration_duration_scheduled` times it from its
                        scheduled start, so a stall weighs on the percentiles as users felt it.
                        At most `maxQueued` iterations wait (per scenario and process, default
                        10,000); beyond that, and for those still waiting when the scenario's
                        gracefulStop ends or the run is stopped, they are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.parsing.fields import Fields

DEFAULT_MAX_QUEUED = 10_000
MAX_QUEUED_LIMIT = 1_000_000  # a bound on memory: a queued ticket is ~100 bytes
KEYS = ("saturation", "maxQueued")


class Saturation(str, Enum):
    DROP = "drop"
    QUEUE = "queue"


@dataclass(frozen=True)
class SaturationPolicy:
    mode: Saturation = Saturation.DROP
    max_queued: int = DEFAULT_MAX_QUEUED

    @property
    def queues(self) -> bool:
        return self.mode is Saturation.QUEUE


DROP = SaturationPolicy()


def read_saturation(fields: Fields) -> SaturationPolicy | None:
    """`saturation` and `maxQueued` of an arrival-rate scenario (None, with a problem noted, if wrong)."""
    text = fields.string("saturation", default=Saturation.DROP.value)
    max_queued = fields.number("maxQueued", default=DEFAULT_MAX_QUEUED, integer=True, ge=1, le=MAX_QUEUED_LIMIT)
    choices = [mode.value for mode in Saturation]
    if text not in choices:
        fields.problems.add(fields.key_path("saturation"), f"must be one of {', '.join(choices)}, but is {text!r}")
        return None
    if fields.has("maxQueued") and text != Saturation.QUEUE.value:
        fields.problems.add(fields.key_path("maxQueued"), "applies only with saturation: queue")
        return None
    if max_queued is None:
        return None
    return SaturationPolicy(mode=Saturation(text), max_queued=max_queued)
