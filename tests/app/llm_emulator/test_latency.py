"""The latency model: sigma follows from the median and the 95th percentile."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from app.llm_emulator.latency import Z95, LatencyModel, lognormal_params


def test_parameters_reproduce_the_two_quantiles() -> None:
    mu, sigma = lognormal_params(median_ms=700, p95_ms=1600)
    assert math.exp(mu) == pytest.approx(700)
    assert math.exp(mu + Z95 * sigma) == pytest.approx(1600)
    assert sigma == pytest.approx(math.log(1600 / 700) / 1.6448536, rel=1e-6)


def test_samples_have_the_configured_median_and_p95() -> None:
    rng = random.Random(7)
    samples = sorted(LatencyModel().sample_s(rng) for _ in range(20_000))
    assert statistics.median(samples) == pytest.approx(0.7, rel=0.03)
    assert samples[int(0.95 * len(samples))] == pytest.approx(1.6, rel=0.05)


def test_the_same_seed_gives_the_same_latencies() -> None:
    model = LatencyModel(median_ms=100, p95_ms=300)
    first, second = random.Random(1), random.Random(1)
    assert [model.sample_s(first) for _ in range(5)] == [model.sample_s(second) for _ in range(5)]


def test_fixed_latency_and_the_cap() -> None:
    assert LatencyModel(distribution="fixed", median_ms=20).sample_s(random.Random()) == 0.02
    capped = LatencyModel(median_ms=1000, p95_ms=100_000, max_ms=1500)
    rng = random.Random(3)
    assert max(capped.sample_s(rng) for _ in range(2000)) == 1.5


def test_invalid_models_name_every_problem() -> None:
    assert LatencyModel(distribution="gamma", median_ms=10).problems() == [
        "distribution must be lognormal or fixed, but is 'gamma'"]
    assert LatencyModel(median_ms=700, p95_ms=500).problems() == ["p95_ms must be >= median_ms (700), but is 500"]
    with pytest.raises(ValueError, match="median_ms must be > 0"):
        lognormal_params(median_ms=0, p95_ms=1)
