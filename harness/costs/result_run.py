"""Measurements from the harness's own run result, read typed: a `harness.results.RunResult`
(from a file, `harness.results.load_result` reads and validates it). Fields read:

    meta.run_id, meta.profile, meta.target, meta.window_s
    thresholds[] (metric, expression)                  -> the p95 budget (harness.thresholds.latency_limits)
    time_series[] {t_s, requests, p95_ms}              -> per-window rate; a window's p95 is the
                                                         worst of its scenarios (percentiles of
                                                         different scenarios cannot be merged)
    metrics.http_reqs.count over the load phase, metrics.http_req_duration.trend.p95
                                                       -> fallback, whole run (harness.results.figures.run_rate_per_s)
    samples.prometheus                                 -> the guardrail worker's counters, through
        harness.results.samples: guardrail_evaluations_total, guardrail_llm_calls_total,
        guardrail_llm_tokens_total{direction="input"|"output"}, guardrail_llm_cost_usd_total
        (first to last scrape per URL, resets counted; each URL exporting evaluations is one worker)
    samples.redis                                      -> peak used_memory / maxmemory (redis_headroom)
    complete, interrupted_reason, generator.saturated, generator.reasons   -> caveats
    samples.prometheus URLs and metric names          -> who answered the LLM calls (`llm_source`)

The result holds no count of API instances: the capacity is taken as one instance's (the
embedded stack runs one API process).

Token counts are the LLM emulator's (app/llm_emulator) when the run scraped the emulator's own
`llm_emulator_*` metrics, or scraped the guardrail worker on a loopback address: the bundled stack
(`bwperf run` without --target, `bwperf stack up`) points its worker at the emulator. A worker on
another host is "unknown", since the result does not record its LLM endpoint.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from harness.costs.errors import ResultFileError
from harness.costs.measurements import LlmSource, Measurements, Window, capacity_within_budget, p95_budget_ms, to_decimal
from harness.results.model import RunResult, Samples
from harness.results.figures import run_rate_per_s
from harness.results.samples import by_url, exports, increase, redis_headroom

EVALUATIONS = "guardrail_evaluations_total"
LLM_CALLS = "guardrail_llm_calls_total"
LLM_TOKENS = "guardrail_llm_tokens_total"  # a metric name  secret-scan: allow
LLM_COST = "guardrail_llm_cost_usd_total"
EMULATOR_PREFIX = "llm_emulator_"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def measurements_from_run_result(result: RunResult, *, source: str) -> Measurements:
    """What the projection needs from a run; a `ResultFileError` naming `source` when the run cannot
    give it (no p95 budget, no capacity within it)."""
    meta = result.meta
    budget = p95_budget_ms(((t.metric, t.expression) for t in result.thresholds), source)
    rate, p95 = capacity_within_budget(_windows(result, source), whole_run=_whole_run(result, source),
                                       budget_ms=budget, source=source)
    label = " @ ".join(v for v in (meta.profile, meta.target) if v)
    headroom = redis_headroom(result.samples)
    try:
        return Measurements(
            source_label=f"{meta.run_id} ({label})" if label else meta.run_id,
            api_capacity_rps=rate,
            p95_budget_ms=budget,
            api_p95_ms=p95,
            redis_used_share=headroom.used_share if headroom is not None else None,
            notes=_notes(result),
            llm_source=llm_source(result.samples),
            **_guardrail(result.samples),
        )
    except ValueError as error:
        raise ResultFileError(source, f"gives no projection: {error}") from None


def _windows(result: RunResult, source: str) -> list[Window]:
    window_s = result.meta.window_s
    if not window_s > 0:
        raise ResultFileError(source, f"meta.window_s must be > 0, but is {window_s!r}")
    requests: dict[float, float] = defaultdict(float)
    worst_p95: dict[float, float] = defaultdict(float)
    for point in result.time_series:
        requests[point.t_s] += point.requests
        if point.p95_ms is not None:  # None: no requests in this scenario's window
            worst_p95[point.t_s] = max(worst_p95[point.t_s], point.p95_ms)
    return [Window(duration_s=window_s, requests=requests[t], p95_ms=worst_p95[t]) for t in sorted(requests)]


def _whole_run(result: RunResult, source: str) -> tuple[float, float] | None:
    """(requests per second of the load phase, the run's p95), or None without a request count."""
    requests, duration = result.metrics.get("http_reqs"), result.metrics.get("http_req_duration")
    rate = run_rate_per_s(requests.count if requests is not None else None, result)
    if rate is None:
        return None
    if duration is None or duration.trend is None:
        raise ResultFileError(source, "metrics.http_req_duration.trend is required")
    return rate, duration.trend.p95


def _guardrail(samples: Samples) -> dict[str, Any]:
    """Per-worker throughput and per-LLM-call tokens and cost from the worker's Prometheus counters."""
    totals: dict[str, float] = defaultdict(float)
    rates: list[float] = []
    for points in by_url(samples).values():
        if not exports(points, EVALUATIONS):
            continue
        evaluations, span_s = increase(points, EVALUATIONS), points[-1].t_s - points[0].t_s
        if evaluations <= 0 or span_s <= 0:
            continue
        rates.append(evaluations / span_s)
        totals["calls"] += increase(points, LLM_CALLS)
        totals["input"] += increase(points, LLM_TOKENS, direction="input")
        totals["output"] += increase(points, LLM_TOKENS, direction="output")
        totals["cost"] += increase(points, LLM_COST)
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


def llm_source(samples: Samples) -> LlmSource:
    """"emulator" when the samples show the LLM emulator answered the worker (see the module doc)."""
    for url, points in by_url(samples).items():
        if any(name.startswith(EMULATOR_PREFIX) for point in points for name in point.values):
            return "emulator"
        if exports(points, EVALUATIONS) and (urlsplit(url).hostname or "") in LOOPBACK:
            return "emulator"
    return "unknown"


def _notes(result: RunResult) -> tuple[str, ...]:
    notes = []
    if not result.complete:
        notes.append(f"the run did not complete ({result.interrupted_reason or 'no reason given'})")
    if result.generator.saturated:
        reasons = "; ".join(result.generator.reasons) or "no reason given"
        notes.append(f"the load generator was saturated ({reasons}): capacity may be understated")
    return tuple(notes)
