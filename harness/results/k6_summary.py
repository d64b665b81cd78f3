"""k6's end-of-test summary (`k6 run --summary-export`) from a run result, for k6 tooling.

Shape: `{"metrics": {name: {...}}, "root_group": {...}}` where a trend has avg, min, med, max,
p(90), p(95) (ms); a counter has count and rate; a rate has value, passes, fails; a gauge has
value, min, max. `thresholds` maps each expression to whether it FAILED, as k6's export does.
Submetrics appear under their k6 names, e.g. `http_req_duration{scenario:browse}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.results.io import write_json_atomic
from harness.results.model import MetricValues, RunResult


def _metric(values: MetricValues) -> dict[str, Any]:
    if values.type == "trend" and values.trend is not None:
        t = values.trend
        return {"avg": t.avg, "min": t.min, "med": t.med, "max": t.max, "p(90)": t.p90, "p(95)": t.p95}
    if values.type == "counter":
        return {"count": values.count if values.count is not None else values.value, "rate": values.rate}
    if values.type == "rate":
        return {"value": values.rate or 0.0, "passes": values.passes or 0, "fails": values.fails or 0}
    return {"value": values.value, "min": values.value, "max": values.value}


def k6_summary(result: RunResult) -> dict[str, Any]:
    metrics: dict[str, dict[str, Any]] = {name: _metric(values) for name, values in result.metrics.items()}
    for name, stats in result.scenarios.items():
        if stats.http_req_duration is not None:
            t = stats.http_req_duration
            metrics[f"http_req_duration{{scenario:{name}}}"] = {
                "avg": t.avg, "min": t.min, "med": t.med, "max": t.max, "p(90)": t.p90, "p(95)": t.p95,
            }
    for threshold in result.thresholds:
        entry = metrics.setdefault(threshold.metric, {})
        entry.setdefault("thresholds", {})[threshold.expression] = not threshold.ok
    return {
        "root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": {}, "checks": {}},
        "options": {"summaryTrendStats": ["avg", "min", "med", "max", "p(90)", "p(95)"]},
        "state": {"isStdOutTTY": False, "isStdErrTTY": False, "testRunDurationMs": result.meta.duration_s * 1000.0},
        "metrics": metrics,
    }


def write_k6_summary(result: RunResult, path: str | Path) -> Path:
    return write_json_atomic(Path(path), k6_summary(result))
