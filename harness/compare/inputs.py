"""What the comparison reads: one run as a flat mapping of metric key -> value.

Every input format (our run result, k6's `--out json` NDJSON, k6's `--summary-export`) is
adapted into a `RunMetrics`, so the engine never knows where a number came from.

Metric keys are slash paths, built by `metric_key` (glob them in compare.yaml):

    browse_problems/GET /api/v1/problems/latency_p95_ms     per scenario x request
    browse_problems/GET /api/v1/problems/error_rate_pct
    browse_problems/GET /api/v1/problems/throughput_per_s
    (all)/(all)/latency_p95_ms                               the whole run
    browse_problems/achieved_rate_per_s                      per scenario
    browse_problems/dropped_iterations_pct
    guardrail_latency/latency_p95_ms                         a custom trend (and its throughput)
    redis/used_memory_peak_bytes

The unit is the key's suffix; `Direction` says which way is worse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from harness.compare.quantiles import RankedCounts
from harness.results.model import MeasurementHealth

ALL = "(all)"
SERVER = "server"


class Direction(str, Enum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Kind(str, Enum):
    """How a value was measured, which decides how its sampling noise is estimated."""

    QUANTILE = "quantile"  # a percentile of a distribution; noise from the histogram's order statistics
    PROPORTION = "proportion"  # events / trials, in percent; noise from the binomial
    RATE = "rate"  # events / duration_s; noise from the Poisson count
    GAUGE = "gauge"  # a single reading (peak memory); no within-run noise estimate


class Unit(str, Enum):
    MS = "ms"
    PCT = "pct"  # percent; its absolute floor is in percentage points
    PER_S = "per_s"
    BYTES = "bytes"


class TimeBlocks:
    """A latency distribution cut into consecutive blocks of time, decoded on first use (the three
    percentiles of one request share one)."""

    def __init__(self, *, block_s: float, decode: Callable[[], Sequence[RankedCounts]], interpolate: bool = False) -> None:
        self.block_s = block_s
        self.interpolate = interpolate  # Prometheus buckets: values are upper bounds, read within the bucket
        self._decode = decode
        self._parts: tuple[RankedCounts, ...] | None = None

    @property
    def parts(self) -> tuple[RankedCounts, ...]:
        if self._parts is None:
            self._parts = tuple(self._decode())
        return self._parts


@dataclass(frozen=True)
class MetricValue:
    """One number of one run, with what is needed to judge its noise.

    QUANTILE values carry `distribution` (the histogram's order statistics, in the metric's unit)
    and `quantile` (0-100) when the source had one (a k6 summary export has none), or `buckets`
    (cumulative `(upper bound, count)` of a Prometheus histogram, read by interpolation), and
    `blocks` (the same distribution cut into consecutive blocks of time) when the source kept
    them; PROPORTION values carry `events` and `trials`; RATE values carry `events` and `duration_s`.

    `span_s` is the part of the run the value was measured in (a scenario's time, or the whole
    load phase), `scenario` the scenario it belongs to: what the measurement health is read over.
    """

    value: float
    direction: Direction
    kind: Kind
    unit: Unit
    distribution: RankedCounts | None = field(default=None, compare=False, repr=False)
    quantile: float | None = None
    events: int | None = None
    trials: int | None = None
    duration_s: float | None = None
    buckets: tuple[tuple[float, float], ...] | None = field(default=None, compare=False, repr=False)
    blocks: TimeBlocks | None = field(default=None, compare=False, repr=False)
    span_s: tuple[float, float] | None = None
    scenario: str | None = None

    @property
    def has_noise_estimate(self) -> bool:
        if self.kind is Kind.QUANTILE:
            return (self.distribution is not None or self.buckets is not None) and self.quantile is not None
        if self.kind is Kind.PROPORTION:
            return self.events is not None and self.trials is not None and self.trials > 0
        if self.kind is Kind.RATE:
            return self.events is not None and self.duration_s is not None and self.duration_s > 0
        return False


@dataclass(frozen=True)
class RunMetrics:
    """One run, adapted for comparison.

    `plan` is the fingerprint two runs must share to be comparable: flat keys such as
    `scenarios`, `scenario.browse_problems.executor`, `scenario.browse_problems.rate_per_s`.
    A source that cannot tell a field leaves it out; `plan_known` is False when the source
    carries no plan at all (k6 summary export).
    """

    run_id: str
    source: str
    source_format: str
    started_at: datetime | None
    plan: Mapping[str, Any]
    plan_known: bool
    metrics: Mapping[str, MetricValue]
    plan_sha256: str | None = None
    health: MeasurementHealth | None = None  # None: the source records no measurement health
    generator_reasons: tuple[str, ...] = ()  # the generator's saturation, run-wide
    scenario_lag_p99_ms: Mapping[str, float] = field(default_factory=dict)  # iteration start lag
    server_routes: Mapping[str, str] = field(default_factory=dict)  # client prefix -> server/<route> prefix
    target: str | None = None  # the base URL the run loaded (None: the source does not say)


def metric_key(*parts: str) -> str:
    return "/".join(parts)


def request_label(method: str | None, name: str) -> str:
    """`GET /api/v1/problems`: the method in front of the name unless the name already has it.

    A full URL (k6 names requests by URL unless told otherwise) keeps only its path and query, so
    runs against different hosts (local, staging) name the same request alike.
    """
    if name.startswith(("http://", "https://")):
        parts = urlsplit(name)
        name = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not method or name.upper().startswith(f"{method.upper()} "):
        return name
    return f"{method.upper()} {name}"


LATENCY_QUANTILES: tuple[tuple[str, float], ...] = (("p50", 50.0), ("p95", 95.0), ("p99", 99.0))
