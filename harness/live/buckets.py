"""Cumulative Prometheus buckets read from an HdrHistogram of microseconds (pure).

A bucket `le=b` counts every recorded value whose HDR slot starts at or below `b`: exact for
bounds below 2.048 ms (1 us slots), and otherwise off only by values within the histogram's
0.1 % precision above a bound. `+Inf` is the total count.
"""

from __future__ import annotations

from collections.abc import Sequence

from hdrh.histogram import HdrHistogram

US_PER_S = 1_000_000


def cumulative_buckets(histogram: HdrHistogram, bounds_s: Sequence[float]) -> list[tuple[float, int]]:
    """(bound in seconds, count of values at or below it) for each bound, then (inf, total)."""
    bounds_us = [bound * US_PER_S for bound in bounds_s]
    per_bound = [0] * len(bounds_us)
    for item in histogram.get_recorded_iterator():
        lowest_us = histogram.get_lowest_equivalent_value(item.value_iterated_to)
        for index, bound_us in enumerate(bounds_us):
            if lowest_us <= bound_us:
                per_bound[index] += item.count_at_value_iterated_to
                break
    buckets, running = [], 0
    for bound_s, count in zip(bounds_s, per_bound, strict=True):
        running += count
        buckets.append((bound_s, running))
    buckets.append((float("inf"), histogram.get_total_count()))
    return buckets
