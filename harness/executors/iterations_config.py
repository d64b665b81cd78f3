"""The config shared by the two iteration-count executors (per-vu-iterations, shared-iterations):
`vus` VUs, `iterations`, within `maxDuration`. They differ only in who counts the iterations."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Self

from harness.executors.base import CommonOptions


@dataclass(frozen=True)
class IterationsConfig:
    common: CommonOptions
    vus: int
    iterations: int
    max_duration_s: float

    @property
    def capacity_vus(self) -> int:
        return self.vus

    @property
    def duration_s(self) -> float:
        return self.max_duration_s

    def target_rate_per_s(self) -> float | None:
        return None

    def scaled(self, duration_scale: float) -> Self:
        common = dataclasses.replace(self.common, start_time_s=self.common.start_time_s * duration_scale)
        return dataclasses.replace(self, common=common, max_duration_s=self.max_duration_s * duration_scale)
