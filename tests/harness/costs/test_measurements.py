"""The run-result adapter: the fields it reads, sustained capacity, and its errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from harness.costs.errors import ResultFileError
from harness.costs.measurements import Window, sustained_capacity_rps
from harness.costs.result_adapter import load_measurements, measurements_from_result_json


def result(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "run_id": "run-7",
        "label": "baseline",
        "thresholds": {"http_req_duration": ["p(95)<200", "p(99)<500"], "errors": ["rate<0.01"]},
        "target": {"api_instances": 2, "worker_instances": 2},
        "metrics": {
            "http_reqs": {"count": 30000, "rate": 100.0},
            "http_req_duration": {"p(95)": 42.5, "p(99)": 80.0},
            "guardrail_evaluations": {"count": 1000, "rate": 8.0},
            "guardrail_input_tokens": {"count": 2_100_000},
            "guardrail_output_tokens": {"avg": 180},
        },
    }
    data.update(overrides)
    return data


def test_k6_style_summary() -> None:
    m = measurements_from_result_json(result())
    assert m.source_label == "run-7 (baseline)"
    assert m.api_capacity_rps == 50.0  # 100 req/s over 2 instances
    assert (m.p95_budget_ms, m.api_p95_ms) == (200.0, 42.5)
    assert m.eval_input_tokens == 2100.0  # 2,100,000 tokens / 1,000 evaluations
    assert m.eval_output_tokens == 180.0
    assert m.guardrail_evals_per_s == 4.0  # 8/s over 2 workers
    assert m.eval_cost_usd is None


def test_k6_handle_summary_values_nesting_and_measured_cost() -> None:
    data = result(target=None)
    data["metrics"] = {
        "http_reqs": {"type": "counter", "values": {"count": 100, "rate": 70.0}},
        "http_req_duration": {"type": "trend", "values": {"p(95)": 150.0}},
        "guardrail_evaluations": {"values": {"count": 10, "rate": 2.0}},
        "guardrail_cost_usd": {"values": {"count": 0.035}},
    }
    m = measurements_from_result_json(data)
    assert (m.api_capacity_rps, m.guardrail_evals_per_s) == (70.0, 2.0)
    assert m.eval_cost_usd == Decimal("0.0035")
    assert m.eval_input_tokens is None


def test_p95_over_budget_gives_no_capacity() -> None:
    data = result()
    data["metrics"]["http_req_duration"]["p(95)"] = 250.0
    with pytest.raises(ResultFileError, match=r"p\(95\) is 250 ms, over the 200 ms budget"):
        measurements_from_result_json(data, source="r.json")


def test_budget_falls_back_to_the_strictest_tagged_threshold() -> None:
    data = result(
        thresholds={
            "http_req_duration{scenario:browse}": ["p(95)<180"],
            "http_req_duration{scenario:search}": [{"threshold": "p(95)<150"}],
        }
    )
    assert measurements_from_result_json(data).p95_budget_ms == 150.0


def test_sustained_capacity_takes_the_best_run_of_in_budget_windows() -> None:
    # req/s:  100  200  300  300  400*  350  350  350   (* p95 over budget)
    rates = [100, 200, 300, 300, 400, 350, 350, 350]
    p95s = [10, 12, 15, 16, 250, 19, 18, 17]
    windows = [Window(duration_s=10, requests=r * 10, p95_ms=p) for r, p in zip(rates, p95s)]
    assert sustained_capacity_rps(windows, p95_budget_ms=200) == (350.0, 19)
    # A run counts at its lowest window: 100/200/300 sustained 100, not 300.
    assert sustained_capacity_rps(windows[:3], p95_budget_ms=200) == (100.0, 15)
    assert sustained_capacity_rps(windows[3:5], p95_budget_ms=200) is None


def test_intervals_are_used_when_present() -> None:
    data = result(target={"api_instances": 1})
    data["intervals"] = [
        {"duration_s": 5, "http_reqs": 1500, "http_req_duration_p95_ms": 30},
        {"duration_s": 5, "http_reqs": 2000, "http_req_duration_p95_ms": 40},
        {"duration_s": 5, "http_reqs": 2500, "http_req_duration_p95_ms": 60},
        {"duration_s": 5, "http_reqs": 3000, "http_req_duration_p95_ms": 900},
    ]
    m = measurements_from_result_json(data)
    assert (m.api_capacity_rps, m.api_p95_ms) == (300.0, 60)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"run_id": ""}, "run_id is required"),
        ({"metrics": None}, "metrics is required"),
        ({"thresholds": {"errors": ["rate<0.01"]}}, r'thresholds.http_req_duration needs a "p\(95\)<N" rule'),
        ({"target": {"api_instances": 0}}, r"target.api_instances must be > 0, but is 0"),
        (
            {"intervals": [{"duration_s": 1, "http_reqs": "many", "http_req_duration_p95_ms": 1}]},
            r"intervals\[0\].http_reqs must be a number >= 0, but is 'many'",
        ),
    ],
)
def test_errors_name_the_file_and_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ResultFileError, match=r"^r\.json: " + message):
        measurements_from_result_json(result(**change), source="r.json")


def test_missing_metric_field() -> None:
    data = result()
    del data["metrics"]["http_reqs"]["rate"]
    with pytest.raises(ResultFileError, match=r"r\.json: metrics\.http_reqs\.rate is required"):
        measurements_from_result_json(data, source="r.json")


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result()))
    assert load_measurements(path).api_capacity_rps == 50.0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ResultFileError, match=r"bad\.json: not valid JSON \(line 1, column 2\)"):
        load_measurements(bad)
    with pytest.raises(ResultFileError, match=r"gone\.json: run result file not found"):
        load_measurements(tmp_path / "gone.json")
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    with pytest.raises(ResultFileError, match="expected a JSON object, but found list"):
        load_measurements(listed)
