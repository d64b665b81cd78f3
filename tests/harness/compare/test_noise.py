"""The noise estimators on their own: known values, and coverage measured by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.compare.noise import (
    Interval,
    band_from_intervals,
    family_confidence,
    proportion_band,
    quantile_interval,
    rate_band,
    robust_spread,
    spread_band,
    wilson_interval,
    z_for,
)
from harness.compare.quantiles import ranked_counts_from_samples


def test_quantile_interval_covers_the_true_quantile_at_least_as_often_as_promised() -> None:
    # Exponential(1): the true 95th percentile is ln(20). 400 samples of 300 each.
    rng = np.random.default_rng(11)
    true_p95 = math.log(20.0)
    covered = 0
    for _ in range(400):
        counts = ranked_counts_from_samples(rng.exponential(1.0, 300))
        interval = quantile_interval(counts, quantile_pct=95.0, confidence=0.95)
        covered += interval.low <= true_p95 <= interval.high
    assert covered / 400 >= 0.93  # exact method: >= 95 % in expectation; 400 draws wobble by ~1 %


def test_quantile_interval_is_not_wider_than_it_needs_to_be() -> None:
    # The order-statistic interval of a p50 from 10 000 uniform samples is about ±1 % wide at 95 %.
    counts = ranked_counts_from_samples(np.random.default_rng(3).uniform(0.0, 1.0, 10_000))
    interval = quantile_interval(counts, quantile_pct=50.0, confidence=0.95)
    assert interval.low < 0.5 < interval.high
    assert 0.015 < interval.high - interval.low < 0.025


def test_p99_of_a_hundred_samples_has_no_upper_bound() -> None:
    counts = ranked_counts_from_samples(np.arange(1.0, 101.0))
    interval = quantile_interval(counts, quantile_pct=99.0, confidence=0.99)
    assert interval.open_high
    assert interval.high == 100.0
    assert not quantile_interval(counts, quantile_pct=50.0, confidence=0.99).open_high


def test_band_from_intervals_adds_half_widths_in_quadrature_and_opens_with_the_interval() -> None:
    baseline = Interval(low=9.0, estimate=10.0, high=13.0)
    current = Interval(low=16.0, estimate=20.0, high=21.0)
    band = band_from_intervals(baseline, current)
    assert band.below == pytest.approx(5.0)  # hypot(20-16, 13-10)
    assert band.above == pytest.approx(math.hypot(1.0, 1.0))
    opened = band_from_intervals(Interval(9.0, 10.0, 13.0, open_high=True), current)
    assert math.isinf(opened.below) and not math.isinf(opened.above)


def test_wilson_interval_known_values() -> None:
    zero = wilson_interval(0, 100, confidence=0.95)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(0.0370, abs=2e-4)
    half = wilson_interval(50, 100, confidence=0.95)
    assert (half.low, half.high) == pytest.approx((0.4038, 0.5962), abs=2e-4)


def test_newcombe_difference_matches_the_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 - 48/80 = 0.2000, 95 % CI 0.0524 to 0.3339 (method 10).
    band = proportion_band(baseline_events=48, baseline_trials=80, current_events=56, current_trials=70, confidence=0.95)
    assert 0.2 - band.below == pytest.approx(0.0524, abs=5e-4)
    assert 0.2 + band.above == pytest.approx(0.3339, abs=5e-4)


def test_rate_band_is_poisson() -> None:
    band = rate_band(baseline_events=3600, baseline_duration_s=60.0, current_events=3600, current_duration_s=60.0, confidence=0.95)
    assert band.above == pytest.approx(1.959964 * math.sqrt(2 * 3600) / 60.0, rel=1e-6)


def test_robust_spread_ignores_one_wild_run() -> None:
    spread = robust_spread([10.0, 11.0, 12.0, 13.0, 100.0])
    assert spread.centre == 12.0
    assert spread.sigma == pytest.approx(1.4826)
    assert spread_band(spread, k=3.0).above == pytest.approx(4.4478)


def test_confidence_helpers() -> None:
    assert z_for(0.99) == pytest.approx(2.5758, abs=1e-4)
    assert family_confidence(0.99, tests=50) == pytest.approx(0.9998)
    with pytest.raises(ValueError, match="confidence"):
        z_for(1.0)


def test_binomial_quantile_is_exact() -> None:
    from scipy.stats import binom

    from harness.compare.noise import binomial_quantile

    for trials in (1, 7, 120, 3000, 1_000_000):
        for p in (0.01, 0.5, 0.95, 0.99):
            for probability in (1e-6, 0.005, 0.5, 0.995, 1 - 1e-6):
                assert binomial_quantile(probability, trials=trials, p=p) == int(binom.ppf(probability, trials, p))
