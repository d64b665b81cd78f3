"""The block-bootstrap band: wider than the independent-samples band when latency comes in bursts,
about as wide when it does not; deterministic; silent when there is no time structure."""

from __future__ import annotations

import numpy as np
import pytest

from harness.compare import CompareSettings, compare_runs, from_result
from harness.compare.block_bootstrap import block_interval, block_length
from harness.compare.engine import sampling_band
from harness.compare.noise import quantile_interval
from harness.compare.quantiles import merged, ranked_counts_from_samples
from tests.harness.compare.timed_runs import TimedPlan, timed_result

CONFIDENCE = 0.99


def windows(rng: np.random.Generator, *, bursts: tuple[int, ...] = (), factor: float = 1.0, n: int = 60) -> list:
    parts = []
    for index in range(n):
        samples = rng.lognormal(np.log(10.0), 0.4, 100)
        if index in bursts:
            samples = samples * factor
        parts.append(ranked_counts_from_samples(np.round(samples, 2)))
    return parts


def half_widths(parts: list, quantile: float) -> tuple[float, float]:
    independent = quantile_interval(merged(parts), quantile_pct=quantile, confidence=CONFIDENCE)
    blocked = block_interval(parts, quantile_pct=quantile, confidence=CONFIDENCE, seed_key="k")
    assert blocked is not None
    return independent.high - independent.estimate, blocked.high - blocked.estimate


def test_on_a_bursty_series_the_block_band_is_much_wider_than_the_independent_one() -> None:
    """Three slow seconds (x4) in sixty: p99 rests on them, which independent samples cannot see."""
    independent, blocked = half_widths(windows(np.random.default_rng(7), bursts=(12, 13, 40), factor=4.0), 99.0)
    assert blocked > 2.0 * independent, (independent, blocked)


def test_on_independent_samples_the_two_bands_agree_within_a_factor() -> None:
    independent, blocked = half_widths(windows(np.random.default_rng(7)), 95.0)
    assert 0.4 < blocked / independent < 2.0, (independent, blocked)


def test_the_band_is_deterministic_and_needs_some_windows() -> None:
    parts = windows(np.random.default_rng(3), bursts=(5,), factor=3.0)
    first = block_interval(parts, quantile_pct=99.0, confidence=CONFIDENCE, seed_key="a/b")
    assert first == block_interval(parts, quantile_pct=99.0, confidence=CONFIDENCE, seed_key="a/b")
    assert block_interval(parts[:3], quantile_pct=99.0, confidence=CONFIDENCE, seed_key="a/b") is None
    assert block_length(60) == 4 and block_length(8) == 2 and block_length(1000) == 10


def test_the_comparison_uses_the_wider_band_and_says_so() -> None:
    """Same code, a bursty baseline: the independent band alone calls the p99 change significant; with
    the runs' time blocks it is within noise (the A/A false alarm of issue 14)."""
    baseline = from_result(timed_result(TimedPlan(burst_windows=(10, 11, 30), burst_factor=5.0), seed=11), source="a")
    current = from_result(timed_result(TimedPlan(), seed=12), source="b")
    key = "browse_problems/GET /api/v1/problems/latency_p99_ms"
    blocked = sampling_band([baseline.metrics[key]], current.metrics[key], confidence=CONFIDENCE, key=key)
    plain = sampling_band([_without_blocks(baseline.metrics[key])], _without_blocks(current.metrics[key]), confidence=CONFIDENCE)
    assert blocked is not None and plain is not None and blocked.above > 2 * plain.above
    metric = next(m for m in compare_runs([baseline], current, settings=CompareSettings()).metrics if m.key == key)
    assert "time blocks" in metric.noise_source


def _without_blocks(value):
    from dataclasses import replace

    return replace(value, blocks=None)


@pytest.mark.parametrize("quantile", [50.0, 95.0, 99.0])
def test_the_estimate_is_the_pooled_percentile(quantile: float) -> None:
    parts = windows(np.random.default_rng(5))
    whole = quantile_interval(merged(parts), quantile_pct=quantile, confidence=CONFIDENCE)
    blocked = block_interval(parts, quantile_pct=quantile, confidence=CONFIDENCE, seed_key="x")
    assert blocked is not None and blocked.estimate == whole.estimate


def bucket_windows(rng: np.random.Generator, *, bursts: tuple[int, ...] = (), factor: float = 1.0) -> list:
    """Per-window Prometheus bucket counts (as the server's scrapes give them), as bucket distributions."""
    bounds = np.array([1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 50.0, 75.0, 100.0, np.inf])
    parts = []
    for index in range(60):
        samples = rng.lognormal(np.log(4.0), 0.5, 80) * (factor if index in bursts else 1.0)
        counts = np.histogram(samples, bins=np.concatenate(([0.0], bounds)))[0]
        from harness.compare.quantiles import RankedCounts

        parts.append(RankedCounts(values=bounds, cumulative=np.cumsum(counts)))
    return parts


def test_bucketed_windows_are_read_as_histogram_quantile_reads_them() -> None:
    from harness.results.samples import histogram_quantile

    parts = bucket_windows(np.random.default_rng(9))
    whole = [(float(v), float(c)) for v, c in zip(parts[0].values, np.sum([p.cumulative for p in parts], axis=0), strict=True)]
    for quantile in (50.0, 95.0, 99.0):
        blocked = block_interval(parts, quantile_pct=quantile, confidence=CONFIDENCE, seed_key="s", interpolate=True)
        assert blocked is not None and blocked.estimate == pytest.approx(histogram_quantile(quantile / 100.0, whole))


def test_bursts_widen_the_band_of_bucketed_windows_too() -> None:
    calm = block_interval(bucket_windows(np.random.default_rng(4)), quantile_pct=99.0, confidence=CONFIDENCE, seed_key="s",
                          interpolate=True)
    bursty = block_interval(bucket_windows(np.random.default_rng(4), bursts=(8, 9, 33), factor=5.0), quantile_pct=99.0,
                            confidence=CONFIDENCE, seed_key="s", interpolate=True)
    assert calm is not None and bursty is not None
    assert bursty.high - bursty.estimate > 2.0 * (calm.high - calm.estimate)
