"""Small constructors the input adapters share, so every format names and measures alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hdrh.histogram import HdrHistogram

from harness.compare.inputs import (
    LATENCY_QUANTILES,
    Direction,
    Kind,
    MetricValue,
    TimeBlocks,
    Unit,
    metric_key,
)
from harness.compare.quantiles import RankedCounts, nearest_rank, ranked_counts, scaled
from harness.metrics.names import US_PER_MS
from harness.results.samples import histogram_quantile


def distribution_ms(histogram: HdrHistogram) -> RankedCounts | None:
    """The order statistics of a microsecond histogram, in milliseconds (None when empty)."""
    counts = ranked_counts(histogram)
    return scaled(counts, US_PER_MS) if counts.total else None


def latency_from_distribution(prefix: tuple[str, ...], distribution: RankedCounts, *, blocks: TimeBlocks | None = None,
                              span_s: tuple[float, float] | None = None, scenario: str | None = None,
                              values_ms: Mapping[str, float] | None = None) -> dict[str, MetricValue]:
    """`<prefix>/latency_p50_ms`, `_p95_ms`, `_p99_ms`. The point value is `values_ms[label]` when
    given (a run result's stored, clamped `TrendValues`, so compare reads the p95 the summary
    shows), else read by nearest rank like hdrh does; the distribution is kept for the noise band."""
    return {
        metric_key(*prefix, f"latency_{label}_ms"): MetricValue(
            value=values_ms[label] if values_ms is not None and label in values_ms
            else distribution.value_at_rank(nearest_rank(quantile, distribution.total)),
            direction=Direction.LOWER_IS_BETTER,
            kind=Kind.QUANTILE,
            unit=Unit.MS,
            distribution=distribution,
            quantile=quantile,
            blocks=blocks,
            span_s=span_s,
            scenario=scenario,
        )
        for label, quantile in LATENCY_QUANTILES
    }


def latency_from_buckets(prefix: tuple[str, ...], buckets_ms: tuple[tuple[float, float], ...], *,
                         span_s: tuple[float, float] | None = None, blocks: TimeBlocks | None = None) -> dict[str, MetricValue]:
    """Percentiles of a Prometheus histogram (cumulative `(upper bound ms, count)`, +Inf last),
    interpolated within the bucket as `histogram_quantile` does."""
    values = {}
    for label, quantile in LATENCY_QUANTILES:
        estimate = histogram_quantile(quantile / 100.0, buckets_ms)
        if estimate is None:
            continue
        values[metric_key(*prefix, f"latency_{label}_ms")] = MetricValue(
            value=estimate, direction=Direction.LOWER_IS_BETTER, kind=Kind.QUANTILE, unit=Unit.MS,
            quantile=quantile, buckets=buckets_ms, span_s=span_s, blocks=blocks,
        )
    return values


def latency_from_summary(prefix: tuple[str, ...], values_ms: dict[str, float]) -> dict[str, MetricValue]:
    """Latency percentiles without a histogram (k6 summary export): no noise estimate."""
    return {
        metric_key(*prefix, f"latency_{label}_ms"): MetricValue(
            value=float(value), direction=Direction.LOWER_IS_BETTER, kind=Kind.QUANTILE, unit=Unit.MS
        )
        for label, value in values_ms.items()
    }


def error_rate(events: int, trials: int) -> MetricValue | None:
    if trials <= 0:
        return None
    events = min(max(int(events), 0), int(trials))
    return MetricValue(
        value=100.0 * events / trials,
        direction=Direction.LOWER_IS_BETTER,
        kind=Kind.PROPORTION,
        unit=Unit.PCT,
        events=events,
        trials=int(trials),
    )


def throughput(events: int, duration_s: float) -> MetricValue | None:
    if duration_s <= 0:
        return None
    return MetricValue(
        value=events / duration_s,
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.RATE,
        unit=Unit.PER_S,
        events=int(events),
        duration_s=float(duration_s),
    )


def dropped_share(dropped: int, started: int) -> MetricValue | None:
    """Dropped iterations as a percentage of the iterations the scheduler wanted to start."""
    return error_rate(dropped, started + dropped)


def peak_bytes(value: float) -> MetricValue:
    return MetricValue(value=float(value), direction=Direction.LOWER_IS_BETTER, kind=Kind.GAUGE, unit=Unit.BYTES)


def put(target: dict[str, MetricValue], key: str, value: MetricValue | None, *,
        span_s: tuple[float, float] | None = None, scenario: str | None = None) -> None:
    if value is not None:
        target[key] = replace(value, span_s=span_s, scenario=scenario) if span_s or scenario else value
