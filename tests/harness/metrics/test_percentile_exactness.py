"""Percentiles from the HdrHistogram agree with an exact sorted computation within the
histogram's precision (3 significant digits: 0.1 %), and merging by add() is exact."""

import math
import random

import pytest

from harness.metrics.accumulators import TrendAccumulator
from harness.metrics.hdr import decode, encode


def exact_percentile(sorted_values, percentile):
    """Nearest rank, as HdrHistogram counts it: the value at rank round(p/100 * n)."""
    rank = max(1, int(percentile / 100.0 * len(sorted_values) + 0.5))
    return sorted_values[rank - 1]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("percentile", [50.0, 90.0, 95.0, 99.0, 99.9])
def test_percentiles_match_sorted_values_within_precision(seed, percentile):
    rng = random.Random(seed)
    values_ms = [rng.lognormvariate(math.log(40), 0.8) for _ in range(20_000)]
    trend = TrendAccumulator()
    for value in values_ms:
        trend.add(value)
    exact = exact_percentile(sorted(values_ms), percentile)
    assert trend.percentile_ms(percentile) == pytest.approx(exact, rel=1e-3, abs=0.001)


def test_the_196_ms_boundary_that_locust_rounds_to_200():
    trend = TrendAccumulator()
    for _ in range(95):
        trend.add(196.0)
    for _ in range(5):
        trend.add(900.0)
    assert 196.0 <= trend.value("p(95)") < 196.2  # Locust's stats would say 200
    assert trend.value("p(95)") < 200


def test_exact_average_min_max():
    trend = TrendAccumulator()
    for value in (1.0, 2.5, 1000.25):
        trend.add(value)
    assert (trend.value("avg"), trend.value("min"), trend.value("max")) == (1003.75 / 3, 1.0, 1000.25)


def test_merge_by_add_equals_one_histogram():
    rng = random.Random(7)
    values = [rng.uniform(0.1, 3000) for _ in range(5000)]
    whole, left, right = TrendAccumulator(), TrendAccumulator(), TrendAccumulator()
    for index, value in enumerate(values):
        whole.add(value)
        (left if index % 2 else right).add(value)
    left.merge(right)
    merged, single = left.summary(), whole.summary()
    assert merged.pop("avg") == pytest.approx(single.pop("avg"), rel=1e-12)  # float sums in another order
    assert merged == single
    assert left.count == whole.count == 5000


def test_wire_round_trip_keeps_every_count():
    trend = TrendAccumulator()
    for value in (0.2, 5.0, 5.0, 12_345.6):
        trend.add(value)
    again = TrendAccumulator.from_wire(trend.to_wire())
    assert again.summary() == trend.summary()
    assert decode(encode(trend.histogram)).get_total_count() == 4


def test_empty_trend_has_no_value():
    assert TrendAccumulator().value("p(95)") is None


def test_percentiles_never_exceed_the_exact_extremes():
    trend = TrendAccumulator()
    for value in (7.244, 1.2, 3.3):
        trend.add(value)
    assert trend.value("p(99)") == 7.244 and trend.value("max") == 7.244
    assert trend.value("p(0)") >= 1.2
