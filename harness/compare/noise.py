"""Sampling noise and run-to-run spread, as intervals for the change `current - baseline`.

Pure functions over plain numbers (and `RankedCounts`). Each estimator answers one question:
how far could `current - baseline` be from the observed difference by chance alone?

- Quantiles (latency p50/p95/p99): a distribution-free confidence interval from order statistics.
  The number of samples at or below the true q-quantile is Binomial(n, q), so the ranks
  l = F⁻¹(α/2) and u = F⁻¹(1-α/2) + 1 of that binomial bracket the true quantile with probability
  at least 1-α, whatever the latency distribution. The histogram's cumulative counts give the
  values at those ranks directly. Chosen over a bootstrap because it is exact (no assumption on
  the shape of the tail), deterministic (the CI gate gives the same answer twice), costs two
  binary searches instead of thousands of resamples, and does not break down at p99 the way a
  bootstrap of an extreme quantile does when few samples lie in the tail.
- Proportions (error rate, dropped iterations): Newcombe's hybrid score interval for a difference
  of two binomial proportions (built from two Wilson intervals), which stays sane at 0 errors.
- Rates (throughput): Poisson counts over the run's duration, normal approximation.
- Several baseline runs: median ± k·1.4826·MAD of their values, the spread from one run to the next
  (machine noise, warm-up, neighbours) that no within-run interval can see.

The per-run intervals assume independent samples; real latency samples are correlated in time, so
they are a lower bound on the noise: `block_bootstrap` estimates it from the runs' own time blocks,
and the comparison takes the wider of the two. A regression also needs the relative threshold and
the absolute floor, and several baselines (whose spread captures run-to-run noise) are worth keeping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, median

import numpy as np

from harness.compare.quantiles import RankedCounts, nearest_rank
from harness.results.samples import histogram_quantile

MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this is its standard deviation


@dataclass(frozen=True)
class Interval:
    """A confidence interval around an estimate. `open_low` / `open_high` when the sample is too
    small to bound it on that side at this confidence (p99 of 100 samples has no upper bound: the
    rank it needs lies beyond the largest sample); `low` / `high` are then the extreme samples."""

    low: float
    estimate: float
    high: float
    open_low: bool = False
    open_high: bool = False


@dataclass(frozen=True)
class DeltaBand:
    """How far below and above the observed `current - baseline` the true difference may lie."""

    below: float
    above: float

    def widest(self, other: DeltaBand) -> DeltaBand:
        return DeltaBand(below=max(self.below, other.below), above=max(self.above, other.above))


NO_BAND = DeltaBand(below=0.0, above=0.0)


def z_for(confidence: float) -> float:
    """Two-sided normal quantile: 0.99 -> 2.576."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def quantile_interval(counts: RankedCounts, *, quantile_pct: float, confidence: float) -> Interval:
    """Distribution-free CI for the `quantile_pct` percentile from the order statistics."""
    _check_confidence(confidence)
    n = counts.total
    if n == 0:
        raise ValueError("an empty histogram has no quantile")
    q = quantile_pct / 100.0
    alpha = 1.0 - confidence
    low_rank = binomial_quantile(alpha / 2.0, trials=n, p=q)
    high_rank = binomial_quantile(1.0 - alpha / 2.0, trials=n, p=q) + 1
    return Interval(
        low=counts.value_at_rank(max(low_rank, 1)),
        estimate=counts.value_at_rank(nearest_rank(quantile_pct, n)),
        high=counts.value_at_rank(min(high_rank, n)),
        open_low=low_rank < 1,
        open_high=high_rank > n,
    )


def bucket_interval(buckets: Sequence[tuple[float, float]], *, quantile_pct: float, confidence: float) -> Interval:
    """The same distribution-free ranks over a Prometheus histogram (cumulative `(bound, count)`,
    +Inf last), each rank's value interpolated within its bucket as `histogram_quantile` does."""
    _check_confidence(confidence)
    n = int(round(buckets[-1][1])) if buckets else 0
    if n <= 0:
        raise ValueError("an empty histogram has no quantile")
    q = quantile_pct / 100.0
    alpha = 1.0 - confidence
    low_rank = binomial_quantile(alpha / 2.0, trials=n, p=q)
    high_rank = binomial_quantile(1.0 - alpha / 2.0, trials=n, p=q) + 1

    def at(rank: int) -> float:
        value = histogram_quantile(min(max(rank, 1), n) / n, buckets)
        return 0.0 if value is None else value

    return Interval(low=at(low_rank), estimate=histogram_quantile(q, buckets) or 0.0, high=at(high_rank),
                    open_low=low_rank < 1, open_high=high_rank > n)


def summed_buckets(histograms: Sequence[Sequence[tuple[float, float]]]) -> tuple[tuple[float, float], ...]:
    """Several cumulative histograms with the same bounds, added (pooled baselines)."""
    totals: dict[float, float] = {}
    for histogram in histograms:
        for bound, count in histogram:
            totals[bound] = totals.get(bound, 0.0) + count
    return tuple(sorted(totals.items()))


def binomial_quantile(probability: float, *, trials: int, p: float) -> int:
    """The smallest k with P(Binomial(trials, p) <= k) >= probability, exactly.

    The pmf is summed over mean ± 12 sd (all of 0..trials when that is small), where all but
    ~1e-30 of the mass lies; numpy alone, so the comparison does not import scipy.stats.
    """
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be in (0, 1), but is {probability}")
    if p <= 0.0 or p >= 1.0:
        return 0 if p <= 0.0 else trials
    sd = math.sqrt(trials * p * (1.0 - p))
    low = max(0, int(trials * p - 12 * sd) - 10)
    high = min(trials, int(trials * p + 12 * sd) + 10)
    k = np.arange(low, high + 1)
    # log C(n, k) from log C(n, low) by the ratio C(n, k+1) / C(n, k) = (n - k) / (k + 1)
    first = math.lgamma(trials + 1) - math.lgamma(low + 1) - math.lgamma(trials - low + 1)
    steps = np.log(trials - k[:-1]) - np.log(k[:-1] + 1)
    log_choose = first + np.concatenate(([0.0], np.cumsum(steps)))
    pmf = np.exp(log_choose + k * math.log(p) + (trials - k) * math.log1p(-p))
    cdf = np.cumsum(pmf)
    return int(k[min(int(np.searchsorted(cdf, probability * (1 - 1e-12), side="left")), len(k) - 1)])


def band_from_intervals(baseline: Interval, current: Interval) -> DeltaBand:
    """The interval of `current - baseline` from the two intervals (half-widths add in quadrature).

    The difference is lower than observed when the current is lower and the baseline higher than
    their estimates, and the other way round for higher. An open side makes that side unbounded.
    """
    below = math.hypot(current.estimate - current.low, baseline.high - baseline.estimate)
    above = math.hypot(current.high - current.estimate, baseline.estimate - baseline.low)
    return DeltaBand(
        below=math.inf if current.open_low or baseline.open_high else below,
        above=math.inf if current.open_high or baseline.open_low else above,
    )


def wilson_interval(events: int, trials: int, *, confidence: float) -> Interval:
    """Wilson score interval for a binomial proportion (as a fraction)."""
    if trials <= 0:
        raise ValueError(f"a proportion needs trials > 0, but has {trials}")
    if not 0 <= events <= trials:
        raise ValueError(f"events must be within [0, trials={trials}], but are {events}")
    z = z_for(confidence)
    p = events / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(low=max(0.0, centre - half), estimate=p, high=min(1.0, centre + half))


def proportion_band(
    *, baseline_events: int, baseline_trials: int, current_events: int, current_trials: int, confidence: float
) -> DeltaBand:
    """Newcombe's hybrid score interval for `p_current - p_baseline`, as fractions."""
    baseline = wilson_interval(baseline_events, baseline_trials, confidence=confidence)
    current = wilson_interval(current_events, current_trials, confidence=confidence)
    return band_from_intervals(baseline, current)


def rate_band(
    *, baseline_events: int, baseline_duration_s: float, current_events: int, current_duration_s: float, confidence: float
) -> DeltaBand:
    """Poisson noise of `events / duration_s`, normal approximation, for the difference of two rates."""
    if baseline_duration_s <= 0 or current_duration_s <= 0:
        raise ValueError("a rate needs a duration > 0")
    variance = baseline_events / baseline_duration_s**2 + current_events / current_duration_s**2
    half = z_for(confidence) * math.sqrt(variance)
    return DeltaBand(below=half, above=half)


@dataclass(frozen=True)
class Spread:
    """Where several baseline runs put the metric: their median and robust standard deviation."""

    centre: float
    sigma: float  # 1.4826 * MAD
    runs: int


def robust_spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("robust_spread needs at least one value")
    centre = float(median(values))
    mad = float(median(abs(v - centre) for v in values))
    return Spread(centre=centre, sigma=MAD_TO_SIGMA * mad, runs=len(values))


def spread_band(spread: Spread, *, k: float) -> DeltaBand:
    """±k robust standard deviations: the current run must leave the baselines' band to count."""
    if k < 0:
        raise ValueError(f"k must be >= 0, but is {k}")
    return DeltaBand(below=k * spread.sigma, above=k * spread.sigma)


def family_confidence(confidence: float, *, tests: int) -> float:
    """Bonferroni: each of `tests` intervals at this confidence keeps the chance that ANY of them
    misses below 1 - `confidence` (a no-change run is flagged with probability <= 1 - confidence)."""
    _check_confidence(confidence)
    return 1.0 - (1.0 - confidence) / max(tests, 1)


def _check_confidence(confidence: float) -> None:
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence must be in [0.5, 1), but is {confidence}")
