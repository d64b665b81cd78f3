"""HdrHistograms of milliseconds, stored as integer microseconds at 3 significant digits.

Percentiles are read from the histogram (nearest rank, highest equivalent value: at most 0.1 %
above the exact value) and never averaged; histograms merge by `add()`.
"""

from __future__ import annotations

import base64
import binascii
import zlib
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


MAX_PAYLOAD_BYTES = 1024 * 1024  # one histogram, decompressed (ours are < 100 KiB; docs/input-limits.md)
_HEADER_BYTES = 8  # hdrh's external header (cookie, length) before the zlib payload


def check(text: str) -> None:
    """ValueError unless `text` is base64 of hdrh's header and a complete zlib payload that
    inflates within MAX_PAYLOAD_BYTES: what a reader checks on load, at ~1 % of decode's cost
    (hdrh inflates the payload whole, so a 1 MB string could otherwise become gigabytes)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not base64: {error}") from None
    if len(raw) <= _HEADER_BYTES:
        raise ValueError("shorter than hdrh's header")
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(raw[_HEADER_BYTES:], MAX_PAYLOAD_BYTES)
    except zlib.error as error:
        raise ValueError(f"not zlib: {error}") from None
    if inflater.unconsumed_tail:
        raise ValueError(f"larger than {MAX_PAYLOAD_BYTES // (1024 * 1024)} MiB once decompressed")
    if not inflater.eof:
        raise ValueError("its compressed payload is cut short")


def decode(text: str) -> HdrHistogram:
    """Decode `encode()`'s text; any malformed input raises ValueError (hdrh has its own
    exception classes, which callers should not have to know)."""
    check(text)
    histogram = new_histogram()
    try:
        histogram.add(HdrHistogram.decode(text.encode("ascii")))
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - HdrCookieException, HdrLengthException, ...
        raise ValueError(f"not a valid HdrHistogram encoding ({type(exc).__name__}: {exc})") from exc
    return histogram


def percentiles_ms(histogram: HdrHistogram, percentiles: Iterable[float], *, lowest_ms: float | None = None,
                   highest_ms: float | None = None) -> dict[float, float]:
    """Value (ms) at each percentile, the one way percentiles are read from a histogram; empty
    histograms give 0. With the exact extremes given, each value is clamped to them: the highest
    equivalent value hdrh returns may sit up to one unit of precision above the largest sample."""
    wanted = list(percentiles)
    if histogram.get_total_count() == 0:
        return {p: 0.0 for p in wanted}
    values = histogram.get_percentile_to_value_dict(wanted)
    low = lowest_ms if lowest_ms is not None else float("-inf")
    high = highest_ms if highest_ms is not None else float("inf")
    return {p: min(high, max(low, values[p] / US_PER_MS)) for p in wanted}


def percentile_ms(histogram: HdrHistogram, percentile: float, *, lowest_ms: float | None = None,
                  highest_ms: float | None = None) -> float:
    """One percentile (ms), as `percentiles_ms` reads it."""
    return percentiles_ms(histogram, [percentile], lowest_ms=lowest_ms, highest_ms=highest_ms)[percentile]
