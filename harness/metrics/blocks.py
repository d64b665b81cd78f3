"""Latency histograms kept block by block in time, for noise estimates that respect time.

Samples within a run are correlated in time (a checkpoint, a GC pause, a neighbour's burst slows
every request for a few seconds), so a percentile's noise is larger than independent samples
suggest. The comparison resamples whole blocks of time to see it; this module keeps the blocks.

A block is `windows_per_block` consecutive time-series windows. Its histogram is stored encoded
(a few hundred bytes, where a live HdrHistogram holds a large counts array). When a series would
hold more than `max_blocks`, every series is coarsened by merging neighbouring pairs, so a long
run keeps at most `max_blocks` blocks of each series, all series on the same block grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.metrics import hdr
from harness.metrics.accumulators import TrendAccumulator

MAX_BLOCKS = 600

# (scenario, method, name): a request; (None, None, name): a run-wide series or a custom trend.
SeriesKey = tuple[str | None, str | None, str]


@dataclass(frozen=True)
class BlockSeries:
    key: SeriesKey
    block_s: float
    t_s: tuple[float, ...]
    hdr: tuple[str, ...]


class LatencyBlocks:
    def __init__(self, *, window_s: float, max_blocks: int = MAX_BLOCKS) -> None:
        if max_blocks < 2:
            raise ValueError(f"max_blocks must be >= 2, but is {max_blocks}")
        self.window_s = window_s
        self.max_blocks = max_blocks
        self.windows_per_block = 1
        self._series: dict[SeriesKey, dict[int, str]] = {}

    def add(self, key: SeriesKey, window_index: int, trend: TrendAccumulator) -> None:
        """The window's histogram of one series (empty windows are not stored)."""
        if trend.count == 0:
            return
        blocks = self._series.setdefault(key, {})
        block = window_index // self.windows_per_block
        blocks[block] = _merged(blocks.get(block), hdr.encode(trend.histogram))
        if len(blocks) > self.max_blocks:
            self._coarsen()

    def _coarsen(self) -> None:
        self.windows_per_block *= 2
        for key, blocks in self._series.items():
            merged: dict[int, str] = {}
            for block, text in sorted(blocks.items()):
                merged[block // 2] = _merged(merged.get(block // 2), text)
            self._series[key] = merged

    def series(self) -> list[BlockSeries]:
        block_s = self.windows_per_block * self.window_s
        return [
            BlockSeries(key=key, block_s=block_s, t_s=tuple(round(b * block_s, 3) for b in sorted(blocks)),
                        hdr=tuple(blocks[b] for b in sorted(blocks)))
            for key, blocks in sorted(self._series.items(), key=lambda item: tuple(str(part) for part in item[0]))
        ]


def _merged(existing: str | None, new: str) -> str:
    if existing is None:
        return new
    histogram = hdr.decode(existing)
    histogram.add(hdr.decode(new))
    return hdr.encode(histogram)
