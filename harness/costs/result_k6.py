"""Measurements from a k6-style summary (k6's `--summary-export`, `handleSummary` data, or any
tool writing k6 metric names). The shape read:

    {
      "run_id": "baseline-2026-11-26",                   # or "id"; required
      "label": "baseline @ laptop",                      # optional
      "thresholds": {"http_req_duration": ["p(95)<200"]},  # the p95 budget
      "target": {"api_instances": 1, "worker_instances": 1},  # optional, default 1 each
      "metrics": {                                       # each entry flat or under "values"
        "http_reqs": {"count": 15000, "rate": 50.0},     # required: rate, req/s
        "http_req_duration": {"p(95)": 12.3},            # required: p95, ms
        "guardrail_evaluations": {"count": 1500, "rate": 5.0},   # optional from here on
        "guardrail_llm_calls": {"count": 900},           # default: every evaluation calls the LLM
        "guardrail_input_tokens": {"count": <total>} or {"avg": <per LLM call>},
        "guardrail_output_tokens": {"count": <total>} or {"avg": <per LLM call>},
        "guardrail_cost_usd": {"count": <total USD>}
      },
      "intervals": [{"duration_s": 10, "http_reqs": 500, "http_req_duration_p95_ms": 12.0}, ...]
    }
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from harness.costs.errors import ResultFileError
from harness.costs.measurements import (
    Measurements,
    Window,
    capacity_within_budget,
    k6_threshold_pairs,
    number,
    p95_budget_ms,
    positive,
    to_decimal,
)


def measurements_from_k6_summary(data: Mapping[str, Any], *, source: str) -> Measurements:
    run_id = data.get("run_id", data.get("id"))
    if not isinstance(run_id, str) or not run_id:
        raise ResultFileError(source, "run_id is required (a non-empty string)")
    label = data.get("label")
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        raise ResultFileError(source, "metrics is required (an object of k6-style metrics)")
    target = data.get("target") if isinstance(data.get("target"), dict) else {}
    api_instances = positive(target, "api_instances", source, default=1.0, path="target.api_instances")
    workers = positive(target, "worker_instances", source, default=1.0, path="target.worker_instances")
    budget = p95_budget_ms(k6_threshold_pairs(data.get("thresholds")), source)
    whole_run = None
    if "rate" in _values(metrics, "http_reqs", source):
        whole_run = (_stat(metrics, "http_reqs", ("rate",), source),
                     _stat(metrics, "http_req_duration", ("p(95)", "p95"), source))  # fmt: skip
    rate, p95 = capacity_within_budget(
        _windows(data.get("intervals"), source), whole_run=whole_run, budget_ms=budget, source=source
    )
    return Measurements(
        source_label=f"{run_id} ({label})" if isinstance(label, str) and label else run_id,
        api_capacity_rps=rate / api_instances,
        p95_budget_ms=budget,
        api_p95_ms=p95,
        **_guardrail(metrics, source, workers),
    )


def _guardrail(metrics: Mapping[str, Any], source: str, workers: float) -> dict[str, Any]:
    if "guardrail_evaluations" not in metrics:
        return {}
    evaluations = _stat(metrics, "guardrail_evaluations", ("count",), source)
    rate = _stat(metrics, "guardrail_evaluations", ("rate",), source)
    if evaluations <= 0:
        return {}
    calls = evaluations
    if "guardrail_llm_calls" in metrics:
        calls = _stat(metrics, "guardrail_llm_calls", ("count",), source)

    def per_call(metric: str) -> Decimal | None:
        # Decimal, so a total divided by a count stays exact (0.035 / 10 = 0.0035).
        if metric not in metrics or calls <= 0:
            return None
        entry = _values(metrics, metric, source)
        if "avg" in entry:
            return to_decimal(number(entry["avg"], f"metrics.{metric}.avg", source))
        return to_decimal(_stat(metrics, metric, ("count",), source)) / to_decimal(calls)

    input_tokens = per_call("guardrail_input_tokens")
    output_tokens = per_call("guardrail_output_tokens")
    return {
        "eval_input_tokens": None if input_tokens is None else float(input_tokens),
        "eval_output_tokens": None if output_tokens is None else float(output_tokens),
        "eval_cost_usd": per_call("guardrail_cost_usd"),
        "guardrail_evals_per_s": rate / workers if rate > 0 else None,
    }


def _windows(intervals: Any, source: str) -> list[Window]:
    if intervals is None:
        return []
    if not isinstance(intervals, list):
        raise ResultFileError(source, f"intervals must be a list, but is {type(intervals).__name__}")
    windows = []
    for i, item in enumerate(intervals):
        path = f"intervals[{i}]"
        if not isinstance(item, dict):
            raise ResultFileError(source, f"{path} must be an object")
        windows.append(
            Window(
                duration_s=positive(item, "duration_s", source, path=f"{path}.duration_s"),
                requests=number(item.get("http_reqs"), f"{path}.http_reqs", source),
                p95_ms=number(item.get("http_req_duration_p95_ms"), f"{path}.http_req_duration_p95_ms", source),
            )
        )
    return windows


def _values(metrics: Mapping[str, Any], metric: str, source: str) -> Mapping[str, Any]:
    entry = metrics.get(metric)
    if not isinstance(entry, dict):
        raise ResultFileError(source, f"metrics.{metric} is required (an object)")
    values = entry.get("values")
    return values if isinstance(values, dict) else entry


def _stat(metrics: Mapping[str, Any], metric: str, keys: tuple[str, ...], source: str) -> float:
    entry = _values(metrics, metric, source)
    for key in keys:
        if key in entry:
            return number(entry[key], f"metrics.{metric}.{key}", source)
    raise ResultFileError(source, f"metrics.{metric}.{keys[0]} is required")
