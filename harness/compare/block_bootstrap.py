"""A percentile's noise from the run's own time structure: a moving-block bootstrap over the
histograms of consecutive blocks of time.

Latency samples are correlated in time: a checkpoint, a GC pause or a neighbour's burst slows
every request for seconds, so a run's p99 may rest on one or two bad seconds. The order-statistic
interval (`noise.quantile_interval`) assumes independent samples and cannot see that. Here whole
blocks of `block_len` consecutive windows are resampled (Künsch 1989): a replicate picks
ceil(n / block_len) random block starts, adds those windows' histograms, and reads the percentile
of the sum. The spread of the replicates is the percentile's standard error under the run's own
correlation; the interval is the estimate ± z · SE (a normal interval: at the family-wise
confidences the gate uses, a percentile interval would need ~10⁵ replicates).

Deterministic: the generator is seeded from the metric's key, so the gate gives the same answer
on the same files. Vectorised: replicates are window multiplicities (B × n) times the window
histograms on a common grid (n × values), one matrix product.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np

from harness.compare.noise import Interval, z_for
from harness.compare.quantiles import RankedCounts

REPLICATES = 400
MIN_BLOCKS = 4  # fewer windows than this carry no time structure to resample


def block_length(windows: int) -> int:
    """n^(1/3), at least 2 (the usual rate for the variance of a smooth statistic)."""
    return max(2, round(windows ** (1.0 / 3.0)))


def block_interval(
    parts: Sequence[RankedCounts], *, quantile_pct: float, confidence: float, seed_key: str,
    replicates: int = REPLICATES, block_len: int | None = None, interpolate: bool = False,
) -> Interval | None:
    """The interval of the `quantile_pct` percentile of all parts together; None when there are
    too few parts (or samples) to resample. `interpolate`: the parts are Prometheus buckets (values
    are upper bounds, +Inf last), read within the bucket as `histogram_quantile` does."""
    parts = [p for p in parts if p.total > 0]
    if len(parts) < MIN_BLOCKS:
        return None
    grid, counts = _on_grid(parts)
    read = _interpolated if interpolate else _nearest_rank
    estimate = float(read(grid, np.cumsum(counts.sum(axis=0))[None, :], quantile_pct)[0])
    length = min(block_len or block_length(len(parts)), len(parts))
    multiplicity = _replicate_multiplicities(len(parts), length, replicates, seed=zlib.crc32(seed_key.encode()))
    cumulative = np.cumsum(multiplicity @ counts, axis=1)  # (replicates, values)
    values = read(grid, cumulative, quantile_pct)
    se = float(np.std(values, ddof=1))
    half = z_for(confidence) * se
    return Interval(low=estimate - half, estimate=estimate, high=estimate + half)


def _nearest_rank(grid: np.ndarray, cumulative: np.ndarray, quantile_pct: float) -> np.ndarray:
    """Each row's percentile by nearest rank (what hdrh reads)."""
    ranks = np.maximum(1, np.floor(quantile_pct / 100.0 * cumulative[:, -1] + 0.5))
    return grid[np.argmax(cumulative >= ranks[:, None], axis=1)]


def _interpolated(grid: np.ndarray, cumulative: np.ndarray, quantile_pct: float) -> np.ndarray:
    """Each row's percentile as Prometheus's `histogram_quantile` reads buckets: linear within the
    bucket holding the rank; the highest finite bound when the rank is in +Inf."""
    ranks = quantile_pct / 100.0 * cumulative[:, -1]
    index = np.argmax(cumulative >= ranks[:, None], axis=1)
    rows = np.arange(len(index))
    lower_bound = np.where(index > 0, grid[np.maximum(index - 1, 0)], 0.0)
    lower_count = np.where(index > 0, cumulative[rows, np.maximum(index - 1, 0)], 0.0)
    upper_bound, upper_count = grid[index], cumulative[rows, index]
    width = np.where(upper_count > lower_count, upper_count - lower_count, 1.0)
    inside = lower_bound + (np.where(np.isinf(upper_bound), 0.0, upper_bound) - lower_bound) * (ranks - lower_count) / width
    return np.where(np.isinf(upper_bound), lower_bound, np.where(upper_count > lower_count, inside, upper_bound))


def _on_grid(parts: Sequence[RankedCounts]) -> tuple[np.ndarray, np.ndarray]:
    """Every part's counts on the union of their values: (grid, counts[part, value])."""
    grid = np.unique(np.concatenate([p.values for p in parts]))
    counts = np.zeros((len(parts), len(grid)), dtype=np.float64)
    for row, part in enumerate(parts):
        columns = np.searchsorted(grid, part.values)
        counts[row, columns] = np.diff(part.cumulative, prepend=0)
    return grid, counts


def _replicate_multiplicities(windows: int, length: int, replicates: int, *, seed: int) -> np.ndarray:
    """How often each window appears in each replicate: (replicates, windows)."""
    rng = np.random.default_rng(seed)
    blocks = math.ceil(windows / length)
    starts = rng.integers(0, windows - length + 1, size=(replicates, blocks))
    chosen = (starts[:, :, None] + np.arange(length)[None, None, :]).reshape(replicates, -1)[:, :windows]
    multiplicity = np.zeros((replicates, windows), dtype=np.float64)
    np.add.at(multiplicity, (np.repeat(np.arange(replicates), chosen.shape[1]), chosen.ravel()), 1.0)
    return multiplicity
