"""Latency budgets from a run's thresholds: `http_req_duration: ["p(95)<200"]` is a line at 200 ms
on the p95 chart. The plan's thresholds are the budgets (seed 8.3 wrote them into the plan)."""

from __future__ import annotations

from collections.abc import Sequence

from harness.results import ThresholdResult
from harness.thresholds import LatencyLimit, latency_limits

HTTP_REQ_DURATION = "http_req_duration"
GUARDRAIL_LATENCY = "guardrail_latency"

Budget = LatencyLimit  # an upper bound on a latency percentile, for the whole run or one scenario


def latency_budgets(thresholds: Sequence[ThresholdResult], *, metric: str = HTTP_REQ_DURATION) -> list[Budget]:
    """Every `p(N)<X` threshold on `metric` (`harness.thresholds.latency_limits`), run-wide or
    tagged with a scenario only: a threshold with another tag (a request name) draws no line."""
    return [limit for limit in latency_limits(((t.metric, t.expression) for t in thresholds), metric=metric)
            if limit.per_scenario]


def budget_label(budget: Budget) -> str:
    """`budget p(95)<150 ms (search)`: what a budget line says on a chart."""
    where = f" ({budget.scenario})" if budget.scenario else ""
    return f"budget {budget.expression} ms{where}"


def budgets_for(budgets: Sequence[Budget], percentile: float) -> list[Budget]:
    return [b for b in budgets if b.percentile == percentile]
