"""HdrHistograms of milliseconds, stored as integer microseconds at 3 significant digits.

Percentiles are read from the histogram (nearest rank, highest equivalent value: at most 0.1 %
above the exact value) and never averaged; histograms merge by `add()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from hdrh.histogram import HdrHistogram

from harness.metrics.names import HDR_HIGHEST_US, HDR_LOWEST_US, HDR_SIGNIFICANT_DIGITS, US_PER_MS


def new_histogram() -> HdrHistogram:
    return HdrHistogram(HDR_LOWEST_US, HDR_HIGHEST_US, HDR_SIGNIFICANT_DIGITS)


def to_us(value_ms: float) -> int:
    """Microseconds for the histogram: at least 1, at most the highest trackable value."""
    return min(HDR_HIGHEST_US, max(HDR_LOWEST_US, int(round(value_ms * US_PER_MS))))


def encode(histogram: HdrHistogram) -> str:
    """Base64 text of hdrh's compressed encoding (what `HdrHistogram.decode` reads)."""
    return histogram.encode().decode("ascii")


def decode(text: str) -> HdrHistogram:
    """Decode `encode()`'s text; any malformed input raises ValueError (hdrh has its own
    exception classes, which callers should not have to know)."""
    histogram = new_histogram()
    try:
        histogram.add(HdrHistogram.decode(text.encode("ascii")))
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - HdrCookieException, HdrLengthException, ...
        raise ValueError(f"not a valid HdrHistogram encoding ({type(exc).__name__}: {exc})") from exc
    return histogram


def percentiles_ms(histogram: HdrHistogram, percentiles: Iterable[float]) -> dict[float, float]:
    """Value (ms) at each percentile; empty histograms give 0."""
    wanted = list(percentiles)
    if histogram.get_total_count() == 0:
        return {p: 0.0 for p in wanted}
    values = histogram.get_percentile_to_value_dict(wanted)
    return {p: values[p] / US_PER_MS for p in wanted}
