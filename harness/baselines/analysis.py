"""Change points in a series of numbers: where did the metric step? Pure functions, no runs here
(`series.py` maps indices back to runs, as apache/otava splits `analysis.py` from `series.py`).

Method: E-divisive's shape (Matteson & James 2014: bisect, test, recurse), with Hunter's
significance step (Fleming et al., "Hunter: Using Change Point Detection to Hunt for Performance
Regressions", ICPE 2023, as apache/otava does it):

1. Split, top down: ruptures' binary segmentation (`Binseg`, least-squares cost, one breakpoint)
   finds the best single split of a segment; Welch's t-test between the two sides decides whether
   it is real. The split was chosen where the sides differ most, so the plain p-value is too small:
   it is multiplied by the number of positions the split could have taken (Bonferroni over the
   scan). A significant split that also moves the mean by `min_magnitude_pct` is kept and both
   halves are searched again. When no single split is significant, the best pair of splits is
   tested (a bump: a regression and its fix, which no single split explains), corrected for the
   pairs searched; a segment with neither ends the recursion. A flat history therefore costs two
   tests at `max_pvalue`, however long it grows.
2. Merge: each kept change point is re-tested against its final neighbours' segments and the
   weakest (p-value above `max_pvalue`, else step below `min_magnitude_pct`) is dropped, then its
   neighbours re-tested, until all pass.

MongoDB's E-divisive (`signal-processing-algorithms`) pins numpy < 2 and gevent < 25, which the
load engine cannot take; apache-otava pins numpy 2.2 and pulls in BigQuery and Slack clients.
ruptures is maintained, depends on numpy and scipy only, and its binary segmentation is the split
step E-divisive performs; the significance step is Hunter's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import ruptures
from ruptures.exceptions import BadSegmentationParameters
from scipy.special import stdtr


@dataclass(frozen=True)
class ChangePointOptions:
    max_pvalue: float = 0.001
    min_magnitude_pct: float = 5.0
    min_segment: int = 3
    max_candidates: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.max_pvalue < 1:
            raise ValueError(f"max_pvalue must be in (0, 1), but is {self.max_pvalue}")
        if self.min_magnitude_pct < 0:
            raise ValueError(f"min_magnitude_pct must be >= 0, but is {self.min_magnitude_pct}")
        if self.min_segment < 2:
            raise ValueError(f"min_segment must be >= 2, but is {self.min_segment}")
        if self.max_candidates < 1:
            raise ValueError(f"max_candidates must be >= 1, but is {self.max_candidates}")


DEFAULT_OPTIONS = ChangePointOptions()


@dataclass(frozen=True)
class Split:
    """A step at `index`: values[index] is the first value of the new level."""

    index: int
    mean_before: float
    mean_after: float
    pvalue: float

    @property
    def change_pct(self) -> float:
        if self.mean_before == 0:
            return 0.0 if self.mean_after == 0 else math.copysign(math.inf, self.mean_after)
        return 100.0 * (self.mean_after - self.mean_before) / abs(self.mean_before)


def find_change_points(values: Sequence[float], *, options: ChangePointOptions = DEFAULT_OPTIONS) -> list[Split]:
    """The significant steps in `values`, in index order."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("values must be a flat sequence of finite numbers")
    candidates = _candidates(x, options)
    return _merge(x, candidates, options)


def _candidates(x: np.ndarray, options: ChangePointOptions) -> list[int]:
    """Top-down bisection: the best split of each segment, kept while significant; when no single
    split is, the best pair (a bump: a step and its return) is tried before giving up."""
    found: list[int] = []
    pending = [(0, len(x))]
    while pending and len(found) < options.max_candidates:
        start, end = pending.pop()
        kept = _significant_splits(x[start:end], options)
        found += [start + index for index in kept]
        bounds = [start, *(start + index for index in kept), end]
        pending += list(pairwise(bounds)) if kept else []
    return sorted(found)


def _significant_splits(segment: np.ndarray, options: ChangePointOptions) -> list[int]:
    """Indices (within `segment`) of its one significant split, or of a significant pair, or none."""
    for count in (1, 2):
        indices = _best_splits(segment, count, options.min_segment)
        if not indices:
            return []
        edges = [0, *indices, len(segment)]
        # Bonferroni over the scan: about positions^count placements were searched.
        scan = max(1, len(segment) - (count + 1) * options.min_segment + 1) ** count
        tests = [
            _test(segment[edges[i - 1]:edges[i]], segment[edges[i]:edges[i + 1]], edges[i], scan=scan)
            for i in range(1, len(edges) - 1)
        ]
        if all(t.pvalue <= options.max_pvalue and abs(t.change_pct) >= options.min_magnitude_pct for t in tests):
            return indices
    return []


def _best_splits(segment: np.ndarray, count: int, min_segment: int) -> list[int]:
    if len(segment) < (count + 1) * min_segment or np.ptp(segment) == 0:
        return []
    search = ruptures.Binseg(model="l2", min_size=min_segment, jump=1).fit(segment.reshape(-1, 1))
    try:
        return [int(b) for b in search.predict(n_bkps=count)[:-1]]
    except BadSegmentationParameters:
        return []


def _merge(x: np.ndarray, candidates: list[int], options: ChangePointOptions) -> list[Split]:
    points = sorted(set(candidates))
    while points:
        splits = _test_all(x, points, options)
        weakest = max(splits, key=lambda s: s.pvalue)
        if weakest.pvalue <= options.max_pvalue:
            weakest = min(splits, key=lambda s: abs(s.change_pct))
            if abs(weakest.change_pct) >= options.min_magnitude_pct:
                return splits
        points.remove(weakest.index)
    return []


def _test_all(x: np.ndarray, points: list[int], options: ChangePointOptions) -> list[Split]:
    edges = [0, *points, len(x)]
    splits = []
    for i in range(1, len(edges) - 1):
        before, after = x[edges[i - 1]:edges[i]], x[edges[i]:edges[i + 1]]
        scan = max(1, len(before) + len(after) - 2 * options.min_segment + 1)
        splits.append(_test(before, after, edges[i], scan=scan))
    return splits


def _test(before: np.ndarray, after: np.ndarray, index: int, *, scan: int) -> Split:
    """Welch's test of a split, its p-value multiplied by `scan` (the placements searched)."""
    mean_before, mean_after = float(before.mean()), float(after.mean())
    pvalue = min(1.0, welch_pvalue(before, after) * scan)
    return Split(index=index, mean_before=mean_before, mean_after=mean_after, pvalue=pvalue)


def welch_pvalue(before: np.ndarray, after: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test (unequal variances)."""
    n1, n2 = len(before), len(after)
    if n1 < 2 or n2 < 2:
        return 1.0
    v1, v2 = float(before.var(ddof=1)) / n1, float(after.var(ddof=1)) / n2
    difference = float(after.mean() - before.mean())
    if v1 + v2 == 0:
        return 1.0 if difference == 0 else 0.0
    t = difference / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return float(2.0 * stdtr(df, -abs(t)))
