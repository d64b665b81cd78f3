"""An HdrHistogram as two arrays (bucket value, count), and quantiles read by rank.

Reading the histogram once into numpy makes every later quantile a binary search, so the point
estimate and both ends of its confidence interval cost O(log buckets). Values are each bucket's
highest equivalent value, the convention `hdrh.get_value_at_percentile` uses (at most 0.1 %
above the exact sample at 3 significant digits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hdrh.histogram import HdrHistogram


@dataclass(frozen=True)
class RankedCounts:
    """Non-empty buckets in increasing value order, with the running count."""

    values: np.ndarray  # float64, the bucket's highest equivalent value, in the histogram's unit
    cumulative: np.ndarray  # int64, samples at or below each bucket

    @property
    def total(self) -> int:
        return int(self.cumulative[-1]) if len(self.cumulative) else 0

    def value_at_rank(self, rank: int) -> float:
        """The `rank`-th smallest sample (1-based), clamped to [1, total]."""
        if self.total == 0:
            raise ValueError("an empty histogram has no order statistics")
        clamped = min(max(int(rank), 1), self.total)
        return float(self.values[int(np.searchsorted(self.cumulative, clamped, side="left"))])


def ranked_counts(histogram: HdrHistogram) -> RankedCounts:
    counts = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    indices = np.flatnonzero(counts)
    values = np.fromiter(
        (histogram.get_highest_equivalent_value(histogram.get_value_from_index(int(i))) for i in indices),
        dtype=np.float64,
        count=len(indices),
    )
    return RankedCounts(values=values, cumulative=np.cumsum(counts[indices].astype(np.int64)))


def nearest_rank(quantile_pct: float, total: int) -> int:
    """The rank hdrh reads for a percentile: round(q * n), at least 1."""
    return max(1, int(quantile_pct / 100.0 * total + 0.5))


def ranked_counts_from_samples(values_us: np.ndarray) -> RankedCounts:
    """Exact order statistics of raw samples (for tests and for sources without a histogram)."""
    unique, counts = np.unique(np.asarray(values_us, dtype=np.float64), return_counts=True)
    return RankedCounts(values=unique, cumulative=np.cumsum(counts.astype(np.int64)))


def scaled(counts: RankedCounts, divisor: float) -> RankedCounts:
    """The same order statistics in another unit (microseconds / 1000 -> milliseconds)."""
    return RankedCounts(values=counts.values / divisor, cumulative=counts.cumulative)


def merged(parts: list[RankedCounts]) -> RankedCounts:
    """The pooled order statistics of several runs (what adding their histograms gives)."""
    if len(parts) == 1:
        return parts[0]
    values = np.concatenate([p.values for p in parts])
    counts = np.concatenate([np.diff(p.cumulative, prepend=0) for p in parts])
    unique, inverse = np.unique(values, return_inverse=True)
    pooled = np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int64)
    return RankedCounts(values=unique, cumulative=np.cumsum(pooled))
