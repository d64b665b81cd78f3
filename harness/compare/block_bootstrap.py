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
from harness.compare.quantiles import RankedCounts, merged, nearest_rank

REPLICATES = 400
MIN_BLOCKS = 4  # fewer windows than this carry no time structure to resample


def block_length(windows: int) -> int:
    """n^(1/3), at least 2 (the usual rate for the variance of a smooth statistic)."""
    return max(2, round(windows ** (1.0 / 3.0)))


def block_interval(
    parts: Sequence[RankedCounts], *, quantile_pct: float, confidence: float, seed_key: str,
    replicates: int = REPLICATES, block_len: int | None = None,
) -> Interval | None:
    """The interval of the `quantile_pct` percentile of all parts together; None when there are
    too few parts (or samples) to resample."""
    parts = [p for p in parts if p.total > 0]
    if len(parts) < MIN_BLOCKS:
        return None
    grid, counts = _on_grid(parts)
    whole = merged(list(parts))
    estimate = whole.value_at_rank(nearest_rank(quantile_pct, whole.total))
    length = min(block_len or block_length(len(parts)), len(parts))
    multiplicity = _replicate_multiplicities(len(parts), length, replicates, seed=zlib.crc32(seed_key.encode()))
    totals = multiplicity @ counts  # (replicates, values)
    cumulative = np.cumsum(totals, axis=1)
    n = cumulative[:, -1]
    ranks = np.maximum(1, np.floor(quantile_pct / 100.0 * n + 0.5))
    index = np.argmax(cumulative >= ranks[:, None], axis=1)
    values = grid[index]
    se = float(np.std(values, ddof=1))
    half = z_for(confidence) * se
    return Interval(low=estimate - half, estimate=estimate, high=estimate + half)


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
