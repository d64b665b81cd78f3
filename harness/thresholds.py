"""k6 thresholds: parse `metric{tag:value}` keys and `p(95)<200` expressions, evaluate them.

Pure: the values come from a `MetricSource` (the live aggregator during a run, or a stored run
result afterwards), so a threshold means the same thing wherever it is evaluated.

Aggregations by metric kind (as k6): trend avg, min, max, med, p(N); rate: rate; counter: count,
rate (per second); gauge: value, min, max.

`latency_limits` reads the latency budgets out of thresholds (`p(95)<200` on a time metric is a
line at 200 ms): the one reading the report's charts, the dashboard and the cost projection share.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from harness.metrics.names import MetricKind

__all__ = [
    "LatencyLimit",
    "MetricSource",
    "ThresholdOutcome",
    "ThresholdSpec",
    "ThresholdSyntaxError",
    "aggregation_allowed",
    "evaluate",
    "latency_limits",
    "make_spec",
    "parse_expression",
    "parse_key",
]

AGGREGATIONS_BY_KIND: dict[MetricKind, tuple[str, ...]] = {
    MetricKind.TREND: ("avg", "min", "max", "med", "p(N)"),
    MetricKind.RATE: ("rate",),
    MetricKind.COUNTER: ("count", "rate"),
    MetricKind.GAUGE: ("value", "min", "max"),
}

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "===": operator.eq,
    "!=": operator.ne,
}
_EXPRESSION = re.compile(
    r"^\s*(?P<agg>avg|min|max|med|count|rate|value|p\(\s*(?P<pct>\d+(?:\.\d+)?)\s*\))"
    r"\s*(?P<op><=|>=|===|==|!=|<|>)\s*(?P<value>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$"
)
_KEY = re.compile(r"^(?P<metric>[A-Za-z_][A-Za-z0-9_.\-]*)(?:\{(?P<tags>[^{}]*)\})?$")


class ThresholdSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class ThresholdSpec:
    key: str
    metric: str
    tags: tuple[tuple[str, str], ...]
    expression: str
    aggregation: str
    percentile: float | None
    operator: str
    limit: float
    abort_on_fail: bool = False
    delay_abort_eval_s: float = 0.0

    def passes(self, observed: float) -> bool:
        return _OPERATORS[self.operator](observed, self.limit)


def parse_key(key: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`http_req_duration{scenario:browse, name:/health}` -> (metric, sorted tag pairs)."""
    match = _KEY.match(key.strip())
    if not match:
        raise ThresholdSyntaxError(f"is not a metric name with optional {{tag:value}} filters: {key!r}")
    tags: list[tuple[str, str]] = []
    raw_tags = match.group("tags")
    if raw_tags is not None:
        for part in raw_tags.split(","):
            name, sep, value = part.partition(":")
            if not sep or not name.strip() or not value.strip():
                raise ThresholdSyntaxError(f"has a tag filter that is not tag:value: {part.strip()!r}")
            tags.append((name.strip(), value.strip()))
    return match.group("metric"), tuple(sorted(tags))


def parse_expression(expression: str) -> tuple[str, float | None, str, float]:
    """`p(95)<200` -> ("p(95)", 95.0, "<", 200.0)."""
    match = _EXPRESSION.match(expression)
    if not match:
        raise ThresholdSyntaxError(
            f"is not a threshold like 'p(95)<200' or 'rate<0.01': {expression!r}"
        )
    pct = match.group("pct")
    percentile = float(pct) if pct is not None else None
    if percentile is not None and not 0.0 <= percentile <= 100.0:
        raise ThresholdSyntaxError(f"has a percentile outside 0..100: {expression!r}")
    aggregation = f"p({pct})" if pct is not None else match.group("agg")
    return aggregation, percentile, match.group("op"), float(match.group("value"))


UPPER_BOUNDS = ("<", "<=")


@dataclass(frozen=True)
class LatencyLimit:
    """An upper bound on a percentile of a time metric, from one threshold:
    `http_req_duration{scenario:search}: p(95)<150` is p95 at most 150 ms on the search scenario."""

    metric: str
    tags: tuple[tuple[str, str], ...]  # sorted tag filters, () for the whole run
    percentile: float  # `med` is the 50th
    limit_ms: float
    expression: str  # as written, spaces removed: "p(95)<150"

    @property
    def scenario(self) -> str | None:
        return dict(self.tags).get("scenario")

    @property
    def per_scenario(self) -> bool:
        """On the whole run or on one scenario only (no other tag, such as a request name): what a
        chart of the run's or a scenario's latency can draw."""
        return {name for name, _ in self.tags} <= {"scenario"}

    def applies_to(self, scenario: str) -> bool:
        """A limit on the whole run, or on exactly this scenario."""
        return self.per_scenario and self.scenario in (None, scenario)


def latency_limits(thresholds: Iterable[tuple[str, str]], *, metric: str) -> list[LatencyLimit]:
    """Every `p(N)<X` (or `<=`, or `med<X`) threshold on `metric`, in the order given.

    `thresholds` are `(key, expression)` pairs as the plan writes them (`result.thresholds` holds
    them as `.metric` and `.expression`). Lower bounds, other aggregations (avg, max) and keys or
    expressions that do not parse are left out: they draw no line.
    """
    found: list[LatencyLimit] = []
    for key, expression in thresholds:
        try:
            name, tags = parse_key(key)
            aggregation, percentile, op, limit = parse_expression(expression)
        except ThresholdSyntaxError:
            continue
        if aggregation == "med":
            percentile = 50.0
        if name == metric and percentile is not None and op in UPPER_BOUNDS:
            found.append(LatencyLimit(metric=name, tags=tags, percentile=percentile, limit_ms=limit,
                                      expression=expression.replace(" ", "")))
    return found


def aggregation_allowed(kind: MetricKind, aggregation: str) -> bool:
    allowed = AGGREGATIONS_BY_KIND[kind]
    return aggregation in allowed or (aggregation.startswith("p(") and "p(N)" in allowed)


def make_spec(key: str, item: Any, *, delay_parser: Callable[[Any], float]) -> ThresholdSpec:
    """One threshold from a key and one list item: a string, or
    `{threshold: "p(95)<200", abortOnFail: true, delayAbortEval: "10s"}`."""
    metric, tags = parse_key(key)
    abort_on_fail = False
    delay_s = 0.0
    if isinstance(item, Mapping):
        unknown = set(item) - {"threshold", "abortOnFail", "delayAbortEval"}
        if unknown:
            raise ThresholdSyntaxError(f"has unknown keys {sorted(unknown)} (known: threshold, abortOnFail, delayAbortEval)")
        expression = item.get("threshold")
        abort_on_fail = item.get("abortOnFail", False)
        if not isinstance(abort_on_fail, bool):
            raise ThresholdSyntaxError(f"abortOnFail must be true or false, but is {abort_on_fail!r}")
        delay_s = delay_parser(item["delayAbortEval"]) if "delayAbortEval" in item else 0.0
    else:
        expression = item
    if not isinstance(expression, str):
        raise ThresholdSyntaxError(f"must be a threshold string like 'p(95)<200', but is {expression!r}")
    aggregation, percentile, op, limit = parse_expression(expression)
    return ThresholdSpec(key, metric, tags, expression.strip(), aggregation, percentile, op, limit, abort_on_fail, delay_s)


class MetricSource(Protocol):
    def observe(self, metric: str, tags: tuple[tuple[str, str], ...], aggregation: str) -> float | None:
        """The aggregated value, or None when the metric has no samples for these tags."""


@dataclass(frozen=True)
class ThresholdOutcome:
    spec: ThresholdSpec
    ok: bool
    observed: float | None


def evaluate(specs: list[ThresholdSpec], source: MetricSource) -> list[ThresholdOutcome]:
    """Each threshold against the source. A metric with no samples passes (as in k6) and is
    reported with `observed=None`."""
    outcomes = []
    for spec in specs:
        observed = source.observe(spec.metric, spec.tags, spec.aggregation)
        ok = True if observed is None else spec.passes(observed)
        outcomes.append(ThresholdOutcome(spec=spec, ok=ok, observed=observed))
    return outcomes
