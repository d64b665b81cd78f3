"""k6's own files as comparison inputs: `k6 run --out json=FILE` and `k6 run --summary-export=FILE`.

NDJSON (`--out json`): one JSON object a line, `{"type":"Metric","metric":...,"data":{"type":"trend",
"contains":"time",...}}` declaring a metric and `{"type":"Point","metric":...,"data":{"time":RFC3339,
"value":..., "tags":{"scenario":...,"name":...,"method":...}}}` for each sample (times in ms). Every
latency sample is there, so the order statistics are exact and the noise estimate is available.

Summary export: `{"metrics": {"http_req_duration": {"avg":..,"med":..,"p(95)":..}, "http_req_failed":
{"value":..,"passes":..,"fails":..}, "http_reqs": {"count":..,"rate":..}, ...}, "root_group":...}`, or
the `handleSummary` shape where each metric's numbers sit under `"values"`. Submetrics appear under
k6 names such as `http_req_duration{scenario:browse}`. It has percentiles but no histograms: latency
metrics from it carry no noise estimate. For `http_req_failed`, k6 counts a failed request as a
"pass" of the rate (the value was true).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from harness.compare import builders
from harness.compare.inputs import (
    ALL,
    Direction,
    Kind,
    MetricValue,
    RunMetrics,
    Unit,
    metric_key,
    request_label,
)
from harness.compare.quantiles import ranked_counts_from_samples
from harness.errors import ResultFileError
from harness.parsing.bounded import BoundsError, loads_json

K6_BUILTIN_METRICS = frozenset({
    "http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
    "http_req_sending", "http_req_waiting", "http_req_receiving", "http_req_failed", "http_reqs",
    "iteration_duration", "group_duration", "iterations", "dropped_iterations", "data_sent",
    "data_received", "vus", "vus_max", "checks", "iteration_lag",
})
SCENARIO_METRICS = frozenset({"http_req_duration", "http_req_failed", "http_reqs", "iterations", "dropped_iterations"})
REQUEST_TAGS = frozenset({"scenario", "name", "method", "url"})
DEFAULT_SCENARIO = "default"


class _Ndjson:
    """Accumulates the Points of one NDJSON file."""

    def __init__(self) -> None:
        self.durations: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self.failed: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.requests: Counter[tuple[str, str]] = Counter()
        self.iterations: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.custom: defaultdict[str, list[float]] = defaultdict(list)
        self.declared: dict[str, Mapping[str, Any]] = {}
        self.span: dict[str, list[datetime]] = {}
        self.points = 0

    def add(self, line: Mapping[str, Any]) -> None:
        name, data = line.get("metric"), line.get("data") or {}
        if line.get("type") == "Metric":
            self.declared[str(name)] = data
            return
        if line.get("type") != "Point" or not isinstance(data, dict):
            return
        self.points += 1
        tags = data.get("tags") or {}
        value = float(data.get("value", 0.0))
        moment = datetime.fromisoformat(str(data["time"]))
        if "scenario" not in tags and name not in SCENARIO_METRICS:
            self._stretch(None, moment)  # vus, data_sent, ...: part of the run, not of a scenario
            return
        scenario = str(tags.get("scenario") or DEFAULT_SCENARIO)
        self._stretch(scenario, moment)
        if name in ("http_req_duration", "http_req_failed", "http_reqs"):
            key = (scenario, request_label(tags.get("method"), str(tags.get("name") or tags.get("url") or ALL)))
            if name == "http_req_duration":
                self.durations[key].append(value)
            elif name == "http_req_failed":
                self.failed[key][0] += 1 if value else 0
                self.failed[key][1] += 1
            else:
                self.requests[key] += int(value)
        elif name == "iterations":
            self.iterations[scenario] += int(value)
        elif name == "dropped_iterations":
            self.dropped[scenario] += int(value)
        elif name not in K6_BUILTIN_METRICS and (self.declared.get(str(name)) or {}).get("type") == "trend":
            self.custom[str(name)].append(value)

    def _stretch(self, scenario: str | None, moment: datetime) -> None:
        for key in (ALL,) if scenario is None else (scenario, ALL):
            span = self.span.setdefault(key, [moment, moment])
            span[0], span[1] = min(span[0], moment), max(span[1], moment)

    def seconds(self, scenario: str) -> float:
        first, last = self.span.get(scenario, (None, None))
        return (last - first).total_seconds() if first is not None and last is not None else 0.0


def from_k6_ndjson(lines: Iterable[str], *, source: str) -> RunMetrics:
    """A run from the lines of a `k6 run --out json` file (bad or truncated lines raise
    `ResultFileError` naming the file and the line)."""
    acc = _Ndjson()
    previous: str | None = None
    number = 0
    for number, raw in enumerate(lines, start=1):
        if previous is not None:
            _parse_into(acc, previous, number - 1, source, last=False)
        previous = raw
    if previous is not None:
        _parse_into(acc, previous, number, source, last=True)
    if acc.points == 0:
        raise ResultFileError(source, "has no k6 data points (no line of type Point)")
    metrics: dict[str, MetricValue] = {}
    for (scenario, label), samples in sorted(acc.durations.items()):
        metrics.update(builders.latency_from_distribution((scenario, label), ranked_counts_from_samples(np.array(samples))))
    for (scenario, label), (events, trials) in sorted(acc.failed.items()):
        builders.put(metrics, metric_key(scenario, label, "error_rate_pct"), builders.error_rate(events, trials))
    for (scenario, label), count in sorted(acc.requests.items()):
        builders.put(metrics, metric_key(scenario, label, "throughput_per_s"), builders.throughput(count, acc.seconds(scenario)))
    _add_overall(acc, metrics)
    for scenario in sorted(set(acc.iterations) | set(acc.dropped)):
        builders.put(metrics, metric_key(scenario, "achieved_rate_per_s"), builders.throughput(acc.iterations[scenario], acc.seconds(scenario)))
        builders.put(metrics, metric_key(scenario, "dropped_iterations_pct"), builders.dropped_share(acc.dropped[scenario], acc.iterations[scenario]))
    for name, samples in sorted(acc.custom.items()):
        if (acc.declared.get(name) or {}).get("contains") == "time":
            metrics.update(builders.latency_from_distribution((name,), ranked_counts_from_samples(np.array(samples))))
        builders.put(metrics, metric_key(name, "throughput_per_s"), builders.throughput(len(samples), acc.seconds(ALL)))
    scenarios = sorted(s for s in acc.span if s != ALL)
    return RunMetrics(
        run_id=Path(source).name.split(".")[0],
        source=source,
        source_format="k6 NDJSON (--out json)",
        started_at=acc.span[ALL][0] if ALL in acc.span else None,
        plan={"scenarios": scenarios},
        plan_known=True,
        metrics=metrics,
    )


def _parse_into(acc: _Ndjson, raw: str, number: int, source: str, *, last: bool) -> None:
    text = raw.strip()
    if not text:
        return
    try:
        line = loads_json(text)
    except BoundsError as error:
        raise ResultFileError(source, f"line {number} {error}") from None
    except json.JSONDecodeError as error:
        if last and not raw.endswith("\n"):
            raise ResultFileError(source, f"is truncated (line {number} is incomplete)") from error
        raise ResultFileError(source, f"line {number} is not valid JSON ({error.msg})") from error
    if not isinstance(line, dict):
        raise ResultFileError(source, f"line {number} is not a k6 JSON object")
    try:
        acc.add(line)
    except (KeyError, TypeError, ValueError) as error:
        raise ResultFileError(source, f"line {number} is not a k6 Metric or Point line ({error})") from error


def _add_overall(acc: _Ndjson, metrics: dict[str, MetricValue]) -> None:
    if acc.durations:
        everything = np.concatenate([np.asarray(v) for v in acc.durations.values()])
        metrics.update(builders.latency_from_distribution((ALL, ALL), ranked_counts_from_samples(everything)))
    if acc.failed:
        builders.put(metrics, metric_key(ALL, ALL, "error_rate_pct"), builders.error_rate(
            sum(f[0] for f in acc.failed.values()), sum(f[1] for f in acc.failed.values())))
    if acc.requests:
        builders.put(metrics, metric_key(ALL, ALL, "throughput_per_s"), builders.throughput(sum(acc.requests.values()), acc.seconds(ALL)))
    if acc.iterations:
        total, dropped = sum(acc.iterations.values()), sum(acc.dropped.values())
        builders.put(metrics, metric_key(ALL, "achieved_rate_per_s"), builders.throughput(total, acc.seconds(ALL)))
        builders.put(metrics, metric_key(ALL, "dropped_iterations_pct"), builders.dropped_share(dropped, total))


def split_metric_name(name: str) -> tuple[str, dict[str, str]]:
    """`http_req_duration{scenario:browse,name:GET /x}` -> ("http_req_duration", {...})."""
    if not name.endswith("}") or "{" not in name:
        return name, {}
    base, _, inner = name[:-1].partition("{")
    tags: dict[str, str] = {}
    for part in inner.split(","):
        key, sep, value = part.partition(":")
        if sep:
            tags[key.strip()] = value.strip()
    return base, tags


def from_k6_summary(document: Mapping[str, Any], *, source: str) -> RunMetrics:
    """A run from a k6 end-of-test summary (`--summary-export`, or `handleSummary`'s data)."""
    raw_metrics = document.get("metrics")
    if not isinstance(raw_metrics, dict):
        raise ResultFileError(source, "is not a k6 summary export (no \"metrics\" object)")
    state = document.get("state") if isinstance(document.get("state"), dict) else {}
    run_s = float(state.get("testRunDurationMs", 0.0)) / 1000.0
    metrics: dict[str, MetricValue] = {}
    iterations: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for name, entry in raw_metrics.items():
        stats = _stats(entry)
        base, tags = split_metric_name(str(name))
        if not stats or not set(tags) <= REQUEST_TAGS:
            continue  # e.g. http_req_duration{expected_response:true}
        scenario = tags.get("scenario", ALL)
        label = request_label(tags.get("method"), tags["name"]) if "name" in tags else ALL
        if base == "http_req_duration":
            metrics.update(builders.latency_from_summary((scenario, label), _percentiles(stats)))
        elif base == "http_req_failed":
            builders.put(metrics, metric_key(scenario, label, "error_rate_pct"), _failure_rate(stats))
        elif base == "http_reqs":
            builders.put(metrics, metric_key(scenario, label, "throughput_per_s"), _counter_rate(stats, run_s))
        elif base == "iterations" and "name" not in tags:
            builders.put(metrics, metric_key(scenario, "achieved_rate_per_s"), _counter_rate(stats, run_s))
            iterations[scenario] = int(stats.get("count", 0))
        elif base == "dropped_iterations" and "name" not in tags:
            dropped[scenario] = int(stats.get("count", 0))
        elif base not in K6_BUILTIN_METRICS and not tags and ("p(95)" in stats or "med" in stats):
            metrics.update(builders.latency_from_summary((base,), _percentiles(stats)))
            if "count" in stats and run_s > 0:
                builders.put(metrics, metric_key(base, "throughput_per_s"), builders.throughput(int(stats["count"]), run_s))
    for scenario, count in dropped.items():
        if scenario in iterations:
            builders.put(metrics, metric_key(scenario, "dropped_iterations_pct"), builders.dropped_share(count, iterations[scenario]))
    return RunMetrics(
        run_id=Path(source).name.split(".")[0],
        source=source,
        source_format="k6 summary export",
        started_at=None,
        plan={},
        plan_known=False,
        metrics=metrics,
    )


def _stats(entry: object) -> dict[str, Any]:
    if not isinstance(entry, dict):
        return {}
    values = entry.get("values")
    return values if isinstance(values, dict) else entry


def _percentiles(stats: Mapping[str, Any]) -> dict[str, float]:
    found = {"p50": stats.get("med", stats.get("p(50)")), "p95": stats.get("p(95)"), "p99": stats.get("p(99)")}
    return {label: float(value) for label, value in found.items() if isinstance(value, (int, float))}


def _failure_rate(stats: Mapping[str, Any]) -> MetricValue | None:
    passes, fails = stats.get("passes"), stats.get("fails")
    if isinstance(passes, (int, float)) and isinstance(fails, (int, float)) and passes + fails > 0:
        return builders.error_rate(int(passes), int(passes + fails))
    rate = stats.get("rate", stats.get("value"))
    if not isinstance(rate, (int, float)):
        return None
    return MetricValue(value=100.0 * float(rate), direction=Direction.LOWER_IS_BETTER, kind=Kind.PROPORTION, unit=Unit.PCT)


def _counter_rate(stats: Mapping[str, Any], run_s: float) -> MetricValue | None:
    count, rate = stats.get("count"), stats.get("rate")
    if not isinstance(count, (int, float)):
        return None
    if run_s > 0:
        return builders.throughput(int(count), run_s)
    if isinstance(rate, (int, float)) and rate > 0:
        return builders.throughput(int(count), float(count) / float(rate))
    return None
