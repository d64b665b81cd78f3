"""Measurements from the harness's own run result (`result.json`, schema_version 1, see
harness/results/model.py), read as a plain dict. Fields read:

    meta.run_id, meta.profile, meta.target, meta.window_s
    thresholds[] {metric: "http_req_duration", expression: "p(95)<200"}   -> the p95 budget
    time_series[] {t_s, scenario, requests, p95_ms}    -> per-window rate; a window's p95 is the
                                                         worst of its scenarios (percentiles of
                                                         different scenarios cannot be merged)
    metrics.http_reqs.rate, metrics.http_req_duration.trend.p95   -> fallback, whole run
    samples.prometheus[] {t_s, url, values}            -> the guardrail worker's counters:
        guardrail_evaluations_total, guardrail_llm_calls_total,
        guardrail_llm_tokens_total{direction="input"|"output"}, guardrail_llm_cost_usd_total
        (first to last sample per URL; each URL exporting evaluations counts as one worker)
    complete, interrupted_reason, generator.saturated, generator.reasons   -> caveats

The result holds no count of API instances: the capacity is taken as one instance's (the
embedded stack runs one API process).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from harness.costs.errors import ResultFileError
from harness.costs.measurements import (
    Measurements,
    Window,
    capacity_within_budget,
    number,
    p95_budget_ms,
    positive,
    to_decimal,
)

_SERIES = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})?$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def measurements_from_run_result(data: Mapping[str, Any], *, source: str) -> Measurements:
    meta = data.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("run_id"), str) or not meta["run_id"]:
        raise ResultFileError(f"{source}: meta.run_id is required (a non-empty string)")
    budget = p95_budget_ms(data.get("thresholds"), source)
    window_s = positive(meta, "window_s", source, path="meta.window_s", default=1.0)
    rate, p95 = capacity_within_budget(
        _windows(data.get("time_series"), window_s, source),
        whole_run=_whole_run(data.get("metrics"), source),
        budget_ms=budget,
        source=source,
    )
    label = " @ ".join(str(meta[k]) for k in ("profile", "target") if meta.get(k))
    return Measurements(
        source_label=f"{meta['run_id']} ({label})" if label else meta["run_id"],
        api_capacity_rps=rate,
        p95_budget_ms=budget,
        api_p95_ms=p95,
        notes=_notes(data),
        **_guardrail(data.get("samples"), source),
    )


def _windows(series: Any, window_s: float, source: str) -> list[Window]:
    if not isinstance(series, list):
        return []
    requests: dict[float, float] = defaultdict(float)
    worst_p95: dict[float, float] = defaultdict(float)
    for i, point in enumerate(series):
        if not isinstance(point, dict):
            raise ResultFileError(f"{source}: time_series[{i}] must be an object")
        start = number(point.get("t_s"), f"time_series[{i}].t_s", source)
        requests[start] += number(point.get("requests"), f"time_series[{i}].requests", source)
        if point.get("p95_ms") is not None:  # None: no requests in this scenario's window
            p95 = number(point["p95_ms"], f"time_series[{i}].p95_ms", source)
            worst_p95[start] = max(worst_p95[start], p95)
    return [Window(duration_s=window_s, requests=requests[t], p95_ms=worst_p95[t]) for t in sorted(requests)]


def _whole_run(metrics: Any, source: str) -> tuple[float, float] | None:
    if not isinstance(metrics, dict):
        return None
    reqs, duration = metrics.get("http_reqs"), metrics.get("http_req_duration")
    if not isinstance(reqs, dict) or reqs.get("rate") is None:
        return None
    trend = duration.get("trend") if isinstance(duration, dict) else None
    if not isinstance(trend, dict):
        raise ResultFileError(f"{source}: metrics.http_req_duration.trend is required")
    return (
        number(reqs["rate"], "metrics.http_reqs.rate", source),
        number(trend.get("p95"), "metrics.http_req_duration.trend.p95", source),
    )


def _guardrail(samples: Any, source: str) -> dict[str, Any]:
    """Per-worker throughput and per-LLM-call tokens and cost from the worker's Prometheus counters."""
    points = samples.get("prometheus") if isinstance(samples, dict) else None
    if not isinstance(points, list):
        return {}
    by_url: dict[str, list[tuple[float, dict[str, float]]]] = defaultdict(list)
    for i, point in enumerate(points):
        if isinstance(point, dict) and isinstance(point.get("values"), dict):
            t_s = number(point.get("t_s"), f"samples.prometheus[{i}].t_s", source)
            by_url[str(point.get("url"))].append((t_s, point["values"]))
    totals: dict[str, float] = defaultdict(float)
    rates: list[float] = []
    for url_points in by_url.values():
        url_points.sort(key=lambda p: p[0])
        (t0, first), (t1, last) = url_points[0], url_points[-1]
        evaluations = _delta(first, last, "guardrail_evaluations_total")
        if evaluations <= 0 or t1 <= t0:
            continue
        rates.append(evaluations / (t1 - t0))
        totals["calls"] += _delta(first, last, "guardrail_llm_calls_total")
        totals["input"] += _delta(first, last, "guardrail_llm_tokens_total", direction="input")
        totals["output"] += _delta(first, last, "guardrail_llm_tokens_total", direction="output")
        totals["cost"] += _delta(first, last, "guardrail_llm_cost_usd_total")
    if not rates:
        return {}
    found: dict[str, Any] = {"guardrail_evals_per_s": sum(rates) / len(rates)}
    if totals["calls"] > 0:
        calls = totals["calls"]
        found["eval_input_tokens"] = totals["input"] / calls
        found["eval_output_tokens"] = totals["output"] / calls
        if totals["cost"] > 0:
            found["eval_cost_usd"] = to_decimal(totals["cost"]) / to_decimal(calls)
    return found


def _delta(first: Mapping[str, float], last: Mapping[str, float], name: str, **labels: str) -> float:
    """Increase of a counter (summed over its series matching `labels`) between two samples."""
    return _sum(last, name, labels) - _sum(first, name, labels)


def _sum(values: Mapping[str, float], name: str, labels: Mapping[str, str]) -> float:
    total = 0.0
    for key, value in values.items():
        match = _SERIES.match(key)
        if not match or match.group("name") != name:
            continue
        have = dict(_LABEL.findall(match.group("labels") or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


def _notes(data: Mapping[str, Any]) -> tuple[str, ...]:
    notes = []
    if data.get("complete") is False:
        notes.append(f"the run did not complete ({data.get('interrupted_reason') or 'no reason given'})")
    generator = data.get("generator")
    if isinstance(generator, dict) and generator.get("saturated"):
        reasons = "; ".join(str(r) for r in generator.get("reasons") or []) or "no reason given"
        notes.append(f"the load generator was saturated ({reasons}): capacity may be understated")
    return tuple(notes)
