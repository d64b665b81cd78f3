"""The report's tables as plain rows of text (pure), shared by the Markdown, HTML and terminal
renderers so that all three say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from harness.metrics.names import BUILTIN_METRICS, MetricKind
from harness.results.model import RunResult, TrendValues
from harness.results.figures import load_phase_s, run_rate_per_s
from harness.results.samples import redis_headroom
from harness.thresholds import ThresholdSyntaxError, parse_expression, parse_key

TIME_METRIC_HINTS = ("duration", "latency", "lag")
MIB = 1024.0 * 1024.0


@dataclass(frozen=True)
class VerdictRow:
    threshold: str  # metric key as written in the plan
    expression: str
    observed: str
    ok: bool
    note: str  # "aborted the run", "no data", ""

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "FAILED"


def _kind(result: RunResult, metric: str) -> MetricKind | None:
    if metric in BUILTIN_METRICS:
        return BUILTIN_METRICS[metric]
    values = result.metrics.get(metric)
    return MetricKind(values.type) if values is not None else None


def format_observed(result: RunResult, metric_key: str, expression: str, value: float | None) -> str:
    """The observed value in the threshold's unit: ms, %, /s or a count."""
    if value is None:
        return "no data"
    try:
        metric, _tags = parse_key(metric_key)
        aggregation = parse_expression(expression)[0]
    except ThresholdSyntaxError:
        return f"{value:.4g}"
    kind = _kind(result, metric)
    if kind is MetricKind.RATE:
        return f"{value * 100:.3g} %"
    if kind is MetricKind.COUNTER:
        return f"{value:.3g}/s" if aggregation == "rate" else f"{value:.0f}"
    if kind is MetricKind.TREND and any(hint in metric for hint in TIME_METRIC_HINTS):
        return f"{value:.1f} ms"
    return f"{value:.4g}"


def verdict_rows(result: RunResult) -> list[VerdictRow]:
    rows = []
    for outcome in result.thresholds:
        note = "aborted the run" if outcome.aborted_run else ("no data (passes, as in k6)" if outcome.observed is None else "")
        rows.append(VerdictRow(outcome.metric, outcome.expression,
                               format_observed(result, outcome.metric, outcome.expression, outcome.observed),
                               outcome.ok, note))
    return rows


@dataclass(frozen=True)
class ScenarioRow:
    scenario: str
    executor: str
    target: str
    achieved: str
    iterations: str
    dropped: str
    requests: str
    failures: str
    p50: str
    p95: str
    p99: str


def _ms(trend: TrendValues | None, key: str) -> str:
    return "-" if trend is None else f"{getattr(trend, key):.1f}"


def failures_text(failures: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "0"


def scenario_rows(result: RunResult) -> list[ScenarioRow]:
    rows = []
    for name, s in result.scenarios.items():
        target = "-" if s.target_rate_per_s is None else f"{s.target_rate_per_s:.2f}/s"
        achieved = f"{s.achieved_rate_per_s:.2f}/s"
        if s.target_rate_per_s:
            achieved += f" ({100.0 * s.achieved_rate_per_s / s.target_rate_per_s:.1f} %)"
        d = s.http_req_duration
        rows.append(ScenarioRow(name, s.executor, target, achieved, str(s.iterations_started), str(s.dropped_iterations),
                                str(s.requests), failures_text(s.failures), _ms(d, "med"), _ms(d, "p95"), _ms(d, "p99")))
    return rows


@dataclass(frozen=True)
class ScheduleRow:
    """An arrival-rate scenario's iterations timed two ways: their own time and from the schedule."""

    scenario: str
    saturation: str
    service_p99: str  # iteration_duration
    scheduled_p50: str  # iteration_duration_scheduled
    scheduled_p95: str
    scheduled_p99: str
    dropped: str


SCHEDULE_HEADER = ("scenario", "saturation", "iteration p99 ms", "from schedule p50 ms", "p95 ms", "p99 ms", "dropped")
SCHEDULE_INTRO = ("Arrival-rate iterations timed from their scheduled start (`iteration_duration_scheduled`) beside "
                  "their own time: the difference is time spent waiting for a free VU or starting late.")


def schedule_rows(result: RunResult) -> list[ScheduleRow]:
    """One row per scenario with schedule-true timings (arrival-rate executors)."""
    return [ScheduleRow(name, s.saturation or "drop", _ms(s.iteration_duration, "p99"),
                        _ms(s.iteration_duration_scheduled, "med"), _ms(s.iteration_duration_scheduled, "p95"),
                        _ms(s.iteration_duration_scheduled, "p99"), str(s.dropped_iterations))
            for name, s in result.scenarios.items() if s.iteration_duration_scheduled is not None]


@dataclass(frozen=True)
class RequestRow:
    scenario: str
    request: str
    count: str
    failures: str
    p50: str
    p95: str
    p99: str
    max: str


def request_rows(result: RunResult) -> list[RequestRow]:
    return [RequestRow(r.scenario, f"{r.method} {r.name}", str(r.count), failures_text(r.failures),
                       _ms(r.duration_ms, "med"), _ms(r.duration_ms, "p95"), _ms(r.duration_ms, "p99"),
                       _ms(r.duration_ms, "max"))
            for r in result.requests]


@dataclass(frozen=True)
class TrendRow:
    metric: str
    count: str
    p50: str
    p95: str
    p99: str
    max: str


def custom_trend_rows(result: RunResult) -> list[TrendRow]:
    """Custom trends (guardrail_latency, ...): the built-in ones are in the other tables."""
    rows = []
    for name, values in result.metrics.items():
        if values.type != "trend" or name in BUILTIN_METRICS or values.trend is None:
            continue
        t = values.trend
        rows.append(TrendRow(name, str(t.count), f"{t.med:.1f}", f"{t.p95:.1f}", f"{t.p99:.1f}", f"{t.max:.1f}"))
    return rows


def run_facts(result: RunResult) -> list[tuple[str, str]]:
    """The run's identity and its headline figures (load, latency, Redis), as (label, value) pairs."""
    return [*_identity(result), *headline_figures(result)]


def headline_figures(result: RunResult) -> list[tuple[str, str]]:
    """The run-wide figures every view shows alike: iterations and requests per second of the load
    phase (`load_phase_s`, not the drain after it), the p50/p95/p99 of all requests as the result
    stores them, and Redis's peak used_memory / maxmemory (`redis_headroom`)."""
    facts: list[tuple[str, str]] = []
    counted: list[str] = []
    for name, noun, unit, digits in (("iterations", "iterations", "/s achieved", 2),
                                     ("http_reqs", "requests", " req/s", 1)):
        count = _count(result, name)
        rate = run_rate_per_s(count, result)
        if count is not None and rate is not None:
            counted.append(f"{count} {noun} ({rate:.{digits}f}{unit})")
    if counted:
        facts.append(("load", " and ".join(counted) + f" in {load_phase_s(result):.1f} s of load "
                      "(the drain after the schedule not counted)"))
    duration = result.metrics.get("http_req_duration")
    if duration is not None and duration.trend is not None:
        t = duration.trend
        facts.append(("latency", f"all requests: p50 {t.med:.1f} ms, p95 {t.p95:.1f} ms, p99 {t.p99:.1f} ms"))
    headroom = redis_headroom(result.samples)
    if headroom is not None:
        peak_mib = headroom.peak_used_bytes / MIB
        facts.append(("Redis", f"peak used_memory {peak_mib:.1f} MiB, no maxmemory (no limit)"
                      if headroom.maxmemory_bytes is None or headroom.used_share is None else
                      f"peak used_memory / maxmemory {100.0 * headroom.used_share:.1f} % "
                      f"({peak_mib:.1f} MiB of {headroom.maxmemory_bytes / MIB:.0f} MiB)"))
    return facts


def _count(result: RunResult, metric: str) -> int | None:
    values = result.metrics.get(metric)
    return values.count if values is not None else None


def _identity(result: RunResult) -> list[tuple[str, str]]:
    m = result.meta
    return [
        ("run", m.run_id),
        ("plan", f"{m.plan_path} (profile {m.profile}, durations x{m.duration_scale:g})"),
        ("target", m.target),
        ("started", f"{m.started_at:%Y-%m-%d %H:%M:%S} UTC, {m.duration_s:.1f} s"),
        ("load generator", f"{m.workers} process(es) on {m.machine.hostname} ({m.machine.cpu_count} CPUs)"),
        ("versions", (f"harness {m.versions.harness}, locust {m.versions.locust}, python {m.versions.python}, "
                      f"git {m.git_sha or 'unknown'}")),
    ]
