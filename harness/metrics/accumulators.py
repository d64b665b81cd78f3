"""Accumulators of k6's metric kinds, mergeable and serialisable for the master.

`TrendAccumulator` keeps exact count, sum, min and max beside the HdrHistogram, so averages and
extremes are exact and percentiles are within the histogram's precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hdrh.histogram import HdrHistogram

from harness.metrics import hdr
from harness.metrics.names import HDR_HIGHEST_US, HDR_LOWEST_US, US_PER_MS, MetricKind

SUMMARY_PERCENTILES = (50.0, 90.0, 95.0, 99.0)


class TrendAccumulator:
    """count, sum, min, max exact; the HdrHistogram for percentiles.

    `add` is on every request's path: it counts microsecond values in a dict (one increment) and
    the histogram takes them in one `record_value(value, count)` per distinct value when it is
    read (`histogram`), a fraction of hdrh's per-value cost in pure Python.
    """

    __slots__ = ("_histogram", "_pending", "count", "sum_ms", "min_ms", "max_ms")

    def __init__(self, histogram: HdrHistogram | None = None, count: int = 0, sum_ms: float = 0.0,
                 min_ms: float = 0.0, max_ms: float = 0.0) -> None:
        self._histogram = histogram if histogram is not None else hdr.new_histogram()
        self._pending: dict[int, int] = {}
        self.count = count
        self.sum_ms = sum_ms
        self.min_ms = min_ms
        self.max_ms = max_ms

    @property
    def histogram(self) -> HdrHistogram:
        if self._pending:
            record = self._histogram.record_value
            for value_us, times in self._pending.items():
                record(value_us, times)
            self._pending.clear()
        return self._histogram

    def add(self, value_ms: float) -> None:
        value_ms = float(value_ms)
        if value_ms < 0.0:
            value_ms = 0.0
        value_us = round(value_ms * US_PER_MS)  # as hdr.to_us
        if value_us < HDR_LOWEST_US:
            value_us = HDR_LOWEST_US
        elif value_us > HDR_HIGHEST_US:
            value_us = HDR_HIGHEST_US
        pending = self._pending
        pending[value_us] = pending.get(value_us, 0) + 1
        if self.count == 0:
            self.min_ms = self.max_ms = value_ms
        elif value_ms < self.min_ms:
            self.min_ms = value_ms
        elif value_ms > self.max_ms:
            self.max_ms = value_ms
        self.count += 1
        self.sum_ms += value_ms

    def merge(self, other: TrendAccumulator) -> None:
        if other.count == 0:
            return
        self.histogram.add(other.histogram)
        self.min_ms = other.min_ms if self.count == 0 else min(self.min_ms, other.min_ms)
        self.max_ms = other.max_ms if self.count == 0 else max(self.max_ms, other.max_ms)
        self.count += other.count
        self.sum_ms += other.sum_ms

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrendAccumulator):
            return NotImplemented
        return (self.count, self.sum_ms, self.min_ms, self.max_ms) == (other.count, other.sum_ms, other.min_ms, other.max_ms) \
            and hdr.encode(self.histogram) == hdr.encode(other.histogram)

    def __repr__(self) -> str:
        return f"TrendAccumulator(count={self.count}, min_ms={self.min_ms}, max_ms={self.max_ms})"

    def value(self, aggregation: str) -> float | None:
        if self.count == 0:
            return None
        if aggregation == "avg":
            return self.sum_ms / self.count
        if aggregation == "min":
            return self.min_ms
        if aggregation == "max":
            return self.max_ms
        if aggregation == "med":
            return self.percentile_ms(50.0)
        if aggregation.startswith("p("):
            return self.percentile_ms(float(aggregation[2:-1]))
        return None

    def percentile_ms(self, percentile: float) -> float:
        return hdr.percentile_ms(self.histogram, percentile, lowest_ms=self.min_ms, highest_ms=self.max_ms)

    def summary(self) -> dict[str, float]:
        """k6's trend stats: avg, min, med, max, p(90), p(95), p(99)."""
        if self.count == 0:
            return {"avg": 0.0, "min": 0.0, "med": 0.0, "max": 0.0, "p(90)": 0.0, "p(95)": 0.0, "p(99)": 0.0}
        pct = hdr.percentiles_ms(self.histogram, SUMMARY_PERCENTILES, lowest_ms=self.min_ms, highest_ms=self.max_ms)
        return {
            "avg": self.sum_ms / self.count,
            "min": self.min_ms,
            "med": pct[50.0],
            "max": self.max_ms,
            "p(90)": pct[90.0],
            "p(95)": pct[95.0],
            "p(99)": pct[99.0],
        }

    def to_wire(self) -> dict[str, Any]:
        return {"hdr": hdr.encode(self.histogram), "count": self.count, "sum": self.sum_ms,
                "min": self.min_ms, "max": self.max_ms}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> TrendAccumulator:
        return cls(hdr.decode(data["hdr"]), int(data["count"]), float(data["sum"]),
                   float(data["min"]), float(data["max"]))


@dataclass
class RateAccumulator:
    passes: int = 0
    total: int = 0

    def add(self, value: object) -> None:
        self.total += 1
        if value:
            self.passes += 1

    def merge(self, other: RateAccumulator) -> None:
        self.passes += other.passes
        self.total += other.total

    @property
    def rate(self) -> float | None:
        return self.passes / self.total if self.total else None

    def to_wire(self) -> dict[str, Any]:
        return {"passes": self.passes, "total": self.total}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> RateAccumulator:
        return cls(int(data["passes"]), int(data["total"]))


@dataclass
class CounterAccumulator:
    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.total += float(value)
        self.count += 1

    def merge(self, other: CounterAccumulator) -> None:
        self.total += other.total
        self.count += other.count

    def to_wire(self) -> dict[str, Any]:
        return {"total": self.total, "count": self.count}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> CounterAccumulator:
        return cls(float(data["total"]), int(data["count"]))


Accumulator = TrendAccumulator | RateAccumulator | CounterAccumulator

_BY_KIND: dict[MetricKind, type] = {
    MetricKind.TREND: TrendAccumulator,
    MetricKind.RATE: RateAccumulator,
    MetricKind.COUNTER: CounterAccumulator,
}


def new_accumulator(kind: MetricKind) -> Accumulator:
    return _BY_KIND[kind]()


def accumulator_from_wire(kind: MetricKind, data: dict[str, Any]) -> Accumulator:
    return _BY_KIND[kind].from_wire(data)
