"""Latency budgets from a run's thresholds: `http_req_duration: ["p(95)<200"]` is a line at 200 ms
on the p95 chart. The plan's thresholds are the budgets (seed 8.3 wrote them into the plan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.results.model import ThresholdResult
from harness.thresholds import ThresholdSyntaxError, parse_expression, parse_key

HTTP_REQ_DURATION = "http_req_duration"
GUARDRAIL_LATENCY = "guardrail_latency"
UPPER_BOUNDS = ("<", "<=")


@dataclass(frozen=True)
class Budget:
    """An upper bound on a latency percentile, for the whole run or one scenario."""

    metric: str
    scenario: str | None
    percentile: float
    limit_ms: float
    expression: str

    @property
    def label(self) -> str:
        where = f" ({self.scenario})" if self.scenario else ""
        return f"budget {self.expression} ms{where}"


def latency_budgets(thresholds: Sequence[ThresholdResult], *, metric: str = HTTP_REQ_DURATION) -> list[Budget]:
    """Every `p(N)<X` threshold on `metric`, run-wide or tagged with a scenario only.

    `med<X` is the p50 budget. Thresholds on other aggregations (avg, max) or with other tags (a
    request name) draw no line.
    """
    found: list[Budget] = []
    for threshold in thresholds:
        try:
            name, tags = parse_key(threshold.metric)
            aggregation, percentile, operator, limit = parse_expression(threshold.expression)
        except ThresholdSyntaxError:
            continue
        if aggregation == "med":
            percentile = 50.0
        if name != metric or percentile is None or operator not in UPPER_BOUNDS:
            continue
        tag_names = {tag for tag, _ in tags}
        if tag_names - {"scenario"}:
            continue
        scenario = dict(tags).get("scenario")
        found.append(Budget(metric=name, scenario=scenario, percentile=percentile, limit_ms=limit,
                            expression=threshold.expression.replace(" ", "")))
    return found


def budgets_for(budgets: Sequence[Budget], percentile: float) -> list[Budget]:
    return [b for b in budgets if b.percentile == percentile]
