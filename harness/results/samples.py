"""Series from the Prometheus samples a run result holds (its `samples.prometheus`): the one reader
of them (series keys, gauges, counter rates and increases, histogram quantiles).

Each sample is one scrape of one URL: `{"t_s", "url", "values": {'name{label="v",...}': value}}`
(labels sorted, as `harness.samplers.prometheus.series_key` writes them). These helpers do what
PromQL's `rate()`, `increase()` and `histogram_quantile()` do, over consecutive scrapes of one
URL. Pure functions; counter resets (a restarted process) count from zero, as Prometheus does.

Also Redis memory against its limit, read the same way by every view (`redis_headroom`:
used_memory / maxmemory). Rates over the load phase are in `figures.py`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from harness.results.model import PrometheusSample, Samples

_SERIES = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})?$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Line:
    """Values over time, `t_s` in seconds from the run's start."""

    t_s: tuple[float, ...]
    values: tuple[float, ...]

    def __bool__(self) -> bool:
        return bool(self.t_s)


EMPTY = Line(t_s=(), values=())


def parse_series(key: str) -> tuple[str, dict[str, str]]:
    """`guardrail_evaluations_total{outcome="approved",tier="llm"}` -> (name, {outcome, tier})."""
    match = _SERIES.match(key)
    if not match:
        return key, {}
    return match.group("name"), dict(_LABEL.findall(match.group("labels") or ""))


def by_url(samples: Samples) -> dict[str, list[PrometheusSample]]:
    """The scrapes of each URL, in time order."""
    grouped: dict[str, list[PrometheusSample]] = defaultdict(list)
    for sample in samples.prometheus:
        grouped[sample.url].append(sample)
    return {url: sorted(points, key=lambda p: p.t_s) for url, points in grouped.items()}


def exports(points: Sequence[PrometheusSample], name: str) -> bool:
    return any(total(p.values, name) is not None for p in points)


def total(values: Mapping[str, float], name: str, **labels: str) -> float | None:
    """Sum of the series of `name` whose labels include `labels`; None when none is exported."""
    found = None
    for key, value in values.items():
        if not key.startswith(name):
            continue
        series_name, have = parse_series(key)
        if series_name == name and all(have.get(k) == v for k, v in labels.items()):
            found = (found or 0.0) + float(value)
    return found


def label_values(points: Sequence[PrometheusSample], name: str, label: str) -> list[str]:
    """The values `label` takes on the series of `name`, sorted."""
    seen: set[str] = set()
    for point in points:
        for key in point.values:
            if key.startswith(name):
                series_name, labels = parse_series(key)
                if series_name == name and label in labels:
                    seen.add(labels[label])
    return sorted(seen)


def gauge(points: Sequence[PrometheusSample], name: str, **labels: str) -> Line:
    pairs = [(p.t_s, total(p.values, name, **labels)) for p in points]
    kept = [(t, v) for t, v in pairs if v is not None]
    return Line(t_s=tuple(t for t, _ in kept), values=tuple(v for _, v in kept))


def counter_rate(points: Sequence[PrometheusSample], name: str, **labels: str) -> Line:
    """Per-second increase between consecutive scrapes, placed at the later scrape."""
    values = _counter_values(points, name, labels)
    if values is None:
        return EMPTY
    times, rates = [], []
    for (t0, v0), (t1, v1) in pairwise(values):
        if t1 > t0:
            times.append(t1)
            rates.append(counter_delta(v0, v1) / (t1 - t0))
    return Line(t_s=tuple(times), values=tuple(rates))


def cumulative_increase(points: Sequence[PrometheusSample], name: str, **labels: str) -> Line:
    """How much the counter grew since the first scrape, at each scrape."""
    values = _counter_values(points, name, labels)
    if values is None:
        return EMPTY
    running, grown = 0.0, []
    for index, (_, value) in enumerate(values):
        if index:
            running += counter_delta(values[index - 1][1], value)
        grown.append(running)
    return Line(t_s=tuple(t for t, _ in values), values=tuple(grown))


def increase(points: Sequence[PrometheusSample], name: str, **labels: str) -> float:
    line = cumulative_increase(points, name, **labels)
    return line.values[-1] if line else 0.0


def histogram_quantile(quantile: float, buckets: Sequence[tuple[float, float]]) -> float | None:
    """Prometheus's estimate from cumulative `(le, count)` buckets: linear within the bucket.

    None without observations. When the rank falls in the `+Inf` bucket, the highest finite
    bound is returned (as Prometheus does).
    """
    ordered = sorted(buckets)
    if not ordered or ordered[-1][1] <= 0:
        return None
    rank = quantile * ordered[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in ordered:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return lower_bound


def quantile_over_time(points: Sequence[PrometheusSample], name: str, quantile: float, **labels: str) -> Line:
    """The quantile of the observations made between consecutive scrapes (`name` is the histogram's
    base name: its `_bucket` series are read, summed over every label but `le`)."""
    bucket_name = f"{name}_bucket"
    times, values = [], []
    for before, after in pairwise(points):
        then, now = _buckets(before.values, bucket_name, labels), _buckets(after.values, bucket_name, labels)
        window = [(le, counter_delta(then.get(le, 0.0), count)) for le, count in now.items()]
        estimate = histogram_quantile(quantile, window)
        if estimate is not None:
            times.append(after.t_s)
            values.append(estimate)
    return Line(t_s=tuple(times), values=tuple(values))


def _counter_values(points: Sequence[PrometheusSample], name: str, labels: Mapping[str, str]) -> list[tuple[float, float]] | None:
    """The counter at each scrape; None when no scrape has it. A scrape of the URL without the
    series counts as 0: a labelled counter appears when first incremented (it grew from nothing)."""
    values = [(p.t_s, total(p.values, name, **labels)) for p in points]
    if all(v is None for _, v in values):
        return None
    return [(t, v if v is not None else 0.0) for t, v in values]


def _buckets(values: Mapping[str, float], bucket_name: str, labels: Mapping[str, str]) -> dict[float, float]:
    summed: dict[float, float] = defaultdict(float)
    for key, value in values.items():
        if not key.startswith(bucket_name):
            continue
        series_name, have = parse_series(key)
        if series_name != bucket_name or "le" not in have:
            continue
        if all(have.get(k) == v for k, v in labels.items()):
            summed[float(have["le"])] += float(value)
    return dict(summed)


def counter_delta(before: float, after: float) -> float:
    """A counter's growth; a drop means the process restarted and counted again from zero."""
    return after - before if after >= before else after


def histogram_mean_over_time(points: Sequence[PrometheusSample], name: str, **labels: str) -> Line:
    """The mean of the observations made between consecutive scrapes (`name` is the histogram's base
    name: `rate(name_sum) / rate(name_count)`), placed at the later scrape; windows without an
    observation are left out."""
    sums, counts = _counter_values(points, f"{name}_sum", labels), _counter_values(points, f"{name}_count", labels)
    if sums is None or counts is None:
        return EMPTY
    times, means = [], []
    for ((_, s0), (t1, s1)), ((_, c0), (_, c1)) in zip(pairwise(sums), pairwise(counts), strict=True):
        observed = counter_delta(c0, c1)
        if observed > 0:
            times.append(t1)
            means.append(counter_delta(s0, s1) / observed)
    return Line(t_s=tuple(times), values=tuple(means))


def bucket_increase(points: Sequence[PrometheusSample], name: str, **labels: str) -> dict[float, float]:
    """How much each `le` bucket of histogram `name` grew from the first scrape to the last (summed
    over every label but `le`; resets count from zero): `histogram_quantile` of it is the quantile
    of every observation made in between."""
    bucket_name = f"{name}_bucket"
    grown: dict[float, float] = defaultdict(float)
    for before, after in pairwise(points):
        then, now = _buckets(before.values, bucket_name, labels), _buckets(after.values, bucket_name, labels)
        for le, count in now.items():
            grown[le] += counter_delta(then.get(le, 0.0), count)
    return dict(grown)


@dataclass(frozen=True)
class RedisHeadroom:
    """Redis memory against its limit over a run.

    The figure is `used_memory` (what Redis counts against `maxmemory`: past it, it evicts or
    refuses writes), never `used_memory_rss` (the process's resident pages, allocator fragmentation
    included, which the limit does not govern; a small Redis has an RSS several times its data).
    """

    peak_used_bytes: float  # the highest used_memory of the samples
    maxmemory_bytes: int | None  # the last limit reported; None: no limit (maxmemory 0) or never reported

    @property
    def used_share(self) -> float | None:
        """Peak used_memory / maxmemory (0.007 is 0.7 % of the limit); None without a limit."""
        return self.peak_used_bytes / self.maxmemory_bytes if self.maxmemory_bytes else None


def redis_headroom(samples: Samples) -> RedisHeadroom | None:
    """Peak used_memory and maxmemory from the run's Redis INFO samples (see `RedisHeadroom`); None
    when no sample reports used_memory."""
    used = [s.used_memory for s in samples.redis if s.used_memory is not None]
    if not used:
        return None
    limits = [s.maxmemory for s in sorted(samples.redis, key=lambda s: s.t_s) if s.maxmemory]
    return RedisHeadroom(peak_used_bytes=float(max(used)), maxmemory_bytes=limits[-1] if limits else None)

