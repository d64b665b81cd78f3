"""What a run measured, as the cost projection needs it, and the adapter from a result JSON.

The run result model (`harness/results/`) is being written elsewhere; until it lands, the
adapter reads a plain dict in a k6-summary-like shape (k6 metric names, as the plan files use):

    {
      "run_id": "2026-11-26T10-00-00Z-baseline",        # or "id"; required
      "label": "baseline @ laptop",                      # optional
      "thresholds": {"http_req_duration": ["p(95)<200", "p(99)<500"]},  # gives the p95 budget
      "target": {"api_instances": 1, "worker_instances": 1},            # optional, default 1
      "metrics": {                                       # each entry flat or under "values"
        "http_reqs": {"count": 15000, "rate": 50.0},                    # required: rate (req/s)
        "http_req_duration": {"p(95)": 12.3},                           # required: p95 in ms
        "guardrail_evaluations": {"count": 1500, "rate": 5.0},          # optional block below
        "guardrail_input_tokens": {"avg": 2000} or {"count": <total>},
        "guardrail_output_tokens": {"avg": 200} or {"count": <total>},
        "guardrail_cost_usd": {"count": <total USD>}                    # optional
      },
      "intervals": [                                     # optional per-window series
        {"duration_s": 10, "http_reqs": 500, "http_req_duration_p95_ms": 12.0}, ...
      ]
    }

With `intervals`, capacity is the best rate held for `SUSTAIN_WINDOWS` consecutive windows whose
p95 all stayed within budget; without, it is the whole run's rate, if its p95 met the budget.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness.costs.errors import ResultFileError

SUSTAIN_WINDOWS = 3
_P95_THRESHOLD = re.compile(r"^\s*p\(95\)\s*<=?\s*([0-9]+(?:\.[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Measurements:
    """Measured inputs to the projection. Rates are per instance; tokens are per evaluation."""

    source_label: str  # run id and label, printed beside every projected number
    api_capacity_rps: float  # sustained req/s one API instance served with p95 within budget
    p95_budget_ms: float
    api_p95_ms: float | None = None  # p95 observed at that rate
    eval_input_tokens: float | None = None  # mean per guardrail evaluation
    eval_output_tokens: float | None = None
    eval_cost_usd: Decimal | None = None  # measured directly; else priced from tokens
    guardrail_evals_per_s: float | None = None  # sustained per worker (a lower bound unless saturated)

    def __post_init__(self) -> None:
        if not (self.api_capacity_rps > 0 and math.isfinite(self.api_capacity_rps)):
            raise ValueError(f"api_capacity_rps must be > 0, but is {self.api_capacity_rps}")
        if not self.p95_budget_ms > 0:
            raise ValueError(f"p95_budget_ms must be > 0, but is {self.p95_budget_ms}")
        if self.guardrail_evals_per_s is not None and not self.guardrail_evals_per_s > 0:
            raise ValueError(f"guardrail_evals_per_s must be > 0, but is {self.guardrail_evals_per_s}")


@dataclass(frozen=True)
class Window:
    duration_s: float
    requests: float
    p95_ms: float

    @property
    def rate_rps(self) -> float:
        return self.requests / self.duration_s


def sustained_capacity_rps(
    windows: Sequence[Window], *, p95_budget_ms: float, sustain_windows: int = SUSTAIN_WINDOWS
) -> tuple[float, float] | None:
    """Best (rate, worst p95) held over `sustain_windows` consecutive in-budget windows, or None.

    A run of windows counts at its *lowest* rate: that is the rate it sustained.
    """
    best: tuple[float, float] | None = None
    for start in range(len(windows) - sustain_windows + 1):
        run = windows[start : start + sustain_windows]
        if all(w.p95_ms <= p95_budget_ms for w in run):
            rate = min(w.rate_rps for w in run)
            worst_p95 = max(w.p95_ms for w in run)
            if best is None or rate > best[0]:
                best = (rate, worst_p95)
    return best


def load_measurements(path: Path) -> Measurements:
    """Read a run result JSON file and adapt it; errors name the file."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultFileError(f"{name}: run result file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultFileError(f"{name}: cannot read the run result: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultFileError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise ResultFileError(f"{name}: expected a JSON object, but found {type(data).__name__}")
    return measurements_from_result_json(data, source=name)


def measurements_from_result_json(data: Mapping[str, Any], *, source: str = "run result") -> Measurements:
    """Adapt a run result (plain dict, shape in the module docstring) into `Measurements`."""
    run_id = data.get("run_id", data.get("id"))
    if not isinstance(run_id, str) or not run_id:
        raise ResultFileError(f"{source}: run_id is required (a non-empty string)")
    label = data.get("label")
    source_label = f"{run_id} ({label})" if isinstance(label, str) and label else run_id
    metrics = _mapping(data, "metrics", source)
    target = data.get("target") or {}
    api_instances = _positive(target, "api_instances", source, default=1.0, path="target.api_instances")
    worker_instances = _positive(target, "worker_instances", source, default=1.0, path="target.worker_instances")
    budget = _p95_budget_ms(data, source)

    intervals = data.get("intervals")
    if intervals:
        windows = _windows(intervals, source)
        found = sustained_capacity_rps(windows, p95_budget_ms=budget)
        if found is None:
            raise ResultFileError(
                f"{source}: no {SUSTAIN_WINDOWS} consecutive intervals kept p95 within {budget:g} ms;"
                " the run gives no capacity within budget"
            )
        rate, p95 = found
    else:
        rate = _stat(metrics, "http_reqs", ("rate",), source)
        p95 = _stat(metrics, "http_req_duration", ("p(95)", "p95"), source)
        if p95 > budget:
            raise ResultFileError(
                f"{source}: metrics.http_req_duration p(95) is {p95:g} ms, over the {budget:g} ms budget;"
                " the run gives no capacity within budget"
            )
    guardrail = _guardrail(metrics, source, worker_instances)
    return Measurements(
        source_label=source_label,
        api_capacity_rps=rate / api_instances,
        p95_budget_ms=budget,
        api_p95_ms=p95,
        **guardrail,
    )


def _guardrail(metrics: Mapping[str, Any], source: str, worker_instances: float) -> dict[str, Any]:
    if "guardrail_evaluations" not in metrics:
        return {}
    count = _stat(metrics, "guardrail_evaluations", ("count",), source)
    rate = _stat(metrics, "guardrail_evaluations", ("rate",), source)
    if count <= 0:
        return {}

    def per_eval(metric: str) -> Decimal | None:
        # Decimal so that a cost total divided by the count stays exact (0.035 / 10 = 0.0035).
        if metric not in metrics:
            return None
        entry = _values(metrics, metric, source)
        if "avg" in entry:
            return _dec(_number(entry["avg"], f"metrics.{metric}.avg", source))
        return _dec(_stat(metrics, metric, ("count",), source)) / _dec(count)

    input_tokens = per_eval("guardrail_input_tokens")
    output_tokens = per_eval("guardrail_output_tokens")
    return {
        "eval_input_tokens": None if input_tokens is None else float(input_tokens),
        "eval_output_tokens": None if output_tokens is None else float(output_tokens),
        "eval_cost_usd": per_eval("guardrail_cost_usd"),
        "guardrail_evals_per_s": rate / worker_instances if rate > 0 else None,
    }


def _dec(value: float) -> Decimal:
    return Decimal(repr(value))


def _p95_budget_ms(data: Mapping[str, Any], source: str) -> float:
    """The run-wide `http_req_duration` p95 budget; failing that, the strictest tagged one."""
    thresholds = data.get("thresholds") or {}
    run_wide: list[float] = []
    tagged: list[float] = []
    for key, rules in thresholds.items() if isinstance(thresholds, dict) else ():
        if str(key).split("{")[0] != "http_req_duration":
            continue
        for rule in rules if isinstance(rules, list) else [rules]:
            text = rule.get("threshold") if isinstance(rule, dict) else rule
            match = _P95_THRESHOLD.match(str(text))
            if match:
                (tagged if "{" in str(key) else run_wide).append(float(match.group(1)))
    if run_wide or tagged:
        return min(run_wide or tagged)
    raise ResultFileError(f'{source}: thresholds.http_req_duration needs a "p(95)<N" rule (the p95 budget in ms)')


def _windows(intervals: Any, source: str) -> list[Window]:
    if not isinstance(intervals, list):
        raise ResultFileError(f"{source}: intervals must be a list, but is {type(intervals).__name__}")
    windows = []
    for i, item in enumerate(intervals):
        path = f"intervals[{i}]"
        if not isinstance(item, dict):
            raise ResultFileError(f"{source}: {path} must be an object")
        windows.append(
            Window(
                duration_s=_positive(item, "duration_s", source, path=f"{path}.duration_s"),
                requests=_number(item.get("http_reqs"), f"{path}.http_reqs", source),
                p95_ms=_number(item.get("http_req_duration_p95_ms"), f"{path}.http_req_duration_p95_ms", source),
            )
        )
    return windows


def _mapping(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ResultFileError(f"{source}: {key} is required (an object of k6-style metrics)")
    return value


def _values(metrics: Mapping[str, Any], metric: str, source: str) -> Mapping[str, Any]:
    entry = metrics.get(metric)
    if not isinstance(entry, dict):
        raise ResultFileError(f"{source}: metrics.{metric} is required (an object)")
    values = entry.get("values")
    return values if isinstance(values, dict) else entry


def _stat(metrics: Mapping[str, Any], metric: str, keys: tuple[str, ...], source: str) -> float:
    entry = _values(metrics, metric, source)
    for key in keys:
        if key in entry:
            return _number(entry[key], f"metrics.{metric}.{key}", source)
    raise ResultFileError(f"{source}: metrics.{metric}.{keys[0]} is required")


def _number(value: Any, path: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ResultFileError(f"{source}: {path} must be a number >= 0, but is {value!r}")
    return float(value)


def _positive(data: Mapping[str, Any], key: str, source: str, *, path: str, default: float | None = None) -> float:
    value = data.get(key, default)
    number = _number(value, path, source)
    if number <= 0:
        raise ResultFileError(f"{source}: {path} must be > 0, but is {value!r}")
    return number
