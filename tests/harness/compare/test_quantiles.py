"""Reading an HdrHistogram by rank agrees with hdrh itself; pooling equals adding histograms."""

from __future__ import annotations

import numpy as np
import pytest

from harness.compare.quantiles import merged, nearest_rank, ranked_counts
from tests.harness.compare.results_factory import histogram_of


@pytest.mark.parametrize("percentile", [1.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0])
def test_value_at_nearest_rank_matches_hdrh(percentile: float) -> None:
    histogram = histogram_of(np.random.default_rng(5).lognormal(np.log(20.0), 0.7, 20_000))
    counts = ranked_counts(histogram)
    assert counts.total == 20_000
    assert counts.value_at_rank(nearest_rank(percentile, counts.total)) == histogram.get_value_at_percentile(percentile)


def test_merged_equals_added_histograms() -> None:
    rng = np.random.default_rng(8)
    first = histogram_of(rng.lognormal(np.log(10.0), 0.5, 5_000))
    second = histogram_of(rng.lognormal(np.log(30.0), 0.5, 3_000))
    pooled = merged([ranked_counts(first), ranked_counts(second)])
    first.add(second)
    both = ranked_counts(first)
    np.testing.assert_array_equal(pooled.values, both.values)
    np.testing.assert_array_equal(pooled.cumulative, both.cumulative)


def test_rank_is_clamped_and_empty_is_an_error() -> None:
    counts = ranked_counts(histogram_of(np.array([1.0, 2.0, 3.0])))
    assert counts.value_at_rank(0) == counts.value_at_rank(1)
    assert counts.value_at_rank(99) == counts.value_at_rank(3)
    empty = ranked_counts(histogram_of(np.array([])))
    with pytest.raises(ValueError, match="empty"):
        empty.value_at_rank(1)
