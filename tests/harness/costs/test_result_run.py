"""Measurements from the harness's own run result (schema_version 1), hand-computed.

The document below is checked against the result model itself (harness.results.RunResult), so
this test fails if the two drift apart; the adapter reads it typed (`measurements_from_run_result`
takes a RunResult), never as a dict.

Windows (10 s; a window's p95 is the worst of its scenarios), budget p(95)<200:
   t=0   800 req  80/s  p95 20      t=30  3200 req  320/s  p95 260 (over budget)
   t=10 1600     160/s  p95 25      t=40  2200      220/s  p95 35
   t=20 2400     240/s  p95 30      t=50  2200      220/s  p95 38
                                    t=60  2300      230/s  p95 33
 Best three consecutive in-budget windows: t=40..60, sustained at their lowest rate, 220 req/s.
Worker counters over 60 s: 300 evaluations (5/s), 200 LLM calls, 480,000 input tokens (2,400 a
call), 60,000 output (300 a call), $0.78 (= $0.0039 a call).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from harness.costs.errors import CostError, ResultFileError
from harness.costs.result_adapter import load_measurements, measurements_from_result_json
from harness.costs.result_run import measurements_from_run_result
from harness.errors import InputError
from harness.results import RunResult, load_result

WORKER = "http://127.0.0.1:9101/metrics"
API = "http://127.0.0.1:8080/metrics"


def _trend(p95: float) -> dict[str, Any]:
    return {"count": 10, "avg": 10.0, "min": 1.0, "med": 9.0, "max": 90.0, "p90": 20.0, "p95": p95, "p99": 80.0,
            "hdr": "HISTFAAAACl4nJNpmSzMwMDAyQABzFCaEUQoH3ZjsP8AETjPz3SWn2kqBxMAd+kGDA=="}  # fmt: skip


def _point(t_s: float, scenario: str, requests: int, p95: float | None) -> dict[str, Any]:
    return {"t_s": t_s, "scenario": scenario, "requests": requests, "failures": {}, "p50_ms": None,
            "p95_ms": p95, "p99_ms": None, "iterations_per_s": requests / 10, "dropped": 0,
            "active_vus": 5, "allocated_vus": 10}  # fmt: skip


def _worker_sample(t_s: float, scale: int) -> dict[str, Any]:
    return {"t_s": t_s, "url": WORKER, "values": {
        'guardrail_evaluations_total{outcome="approved",tier="llm"}': 200.0 * scale,
        'guardrail_evaluations_total{outcome="approved",tier="cache"}': 60.0 * scale,
        'guardrail_evaluations_total{outcome="rejected",tier="prefilter"}': 40.0 * scale,
        'guardrail_llm_calls_total{model="claude-haiku-4-5",result="ok"}': 200.0 * scale,
        'guardrail_llm_tokens_total{direction="input",model="claude-haiku-4-5"}': 480_000.0 * scale,
        'guardrail_llm_tokens_total{direction="output",model="claude-haiku-4-5"}': 60_000.0 * scale,
        'guardrail_llm_cost_usd_total{model="claude-haiku-4-5"}': 0.78 * scale,
    }}  # fmt: skip


def run_result() -> dict[str, Any]:
    windows = [(0, 500, 12, 300, 20), (10, 1000, 15, 600, 25), (20, 1500, 18, 900, 30), (30, 2000, 40, 1200, 260),
               (40, 1400, 20, 800, 35), (50, 1400, 38, 800, 22), (60, 1500, 33, 800, 21)]  # fmt: skip
    series = []
    for t, browse, browse_p95, search, search_p95 in windows:
        series += [_point(t, "browse", browse, browse_p95), _point(t, "search", search, search_p95)]
    series.append(_point(70, "browse", 0, None))  # a quiet tail window, no percentile
    return {
        "schema_version": 1,
        "meta": {
            "run_id": "run-2026", "started_at": "2026-11-26T10:00:00Z", "ended_at": "2026-11-26T10:01:20Z",
            "duration_s": 80.0, "target": "http://127.0.0.1:8080", "plan_path": "scenarios/baseline.yaml",
            "plan_sha256": "0" * 64, "profile": "ci", "duration_scale": 0.2, "git_sha": None,
            "versions": {"python": "3.11", "locust": "2.30", "harness": "0.1.0"},
            "machine": {"hostname": "lab", "cpu_count": 2, "platform": "linux"},
            "workers": 1, "window_s": 10.0,
        },
        "complete": True,
        "scenarios": {},
        "requests": [],
        "metrics": {
            "http_reqs": {"type": "counter", "count": 17600, "rate": 220.0},
            "http_req_duration": {"type": "trend", "contains": "time", "trend": _trend(120.0)},
        },
        "thresholds": [
            {"metric": "http_req_duration", "expression": "p(95)<200", "ok": True, "observed": 120.0,
             "abort_on_fail": False},
            {"metric": "http_req_duration", "expression": "p(99)<500", "ok": True, "observed": 300.0,
             "abort_on_fail": False},
        ],
        "thresholds_ok": True,
        "time_series": series,
        "samples": {"interval_s": 5.0, "prometheus": [
            {"t_s": 0.0, "url": API, "values": {'http_requests_total{route="/problems"}': 0.0}},
            _worker_sample(0.0, 0), _worker_sample(60.0, 1),
            {"t_s": 60.0, "url": API, "values": {'http_requests_total{route="/problems"}': 17600.0}},
        ], "redis": [], "notes": []},
        "generator": {"lag_p50_ms": 1.0, "lag_p99_ms": 5.0, "lag_max_ms": 9.0, "dropped_iterations": 0,
                      "processes": [], "saturated": True, "reasons": ["generator CPU 97 %"]},
        "warnings": [],
    }  # fmt: skip


def test_the_document_is_a_valid_run_result() -> None:
    RunResult.model_validate(run_result())


def test_measurements_by_hand() -> None:
    m = measurements_from_result_json(run_result(), source="result.json")
    assert m.source_label == "run-2026 (ci @ http://127.0.0.1:8080)"
    assert (m.api_capacity_rps, m.api_p95_ms, m.p95_budget_ms) == (220.0, 38.0, 200.0)
    assert m.guardrail_evals_per_s == 5.0
    assert (m.eval_input_tokens, m.eval_output_tokens) == (2400.0, 300.0)
    assert m.eval_cost_usd == Decimal("0.0039")
    assert m.notes == ("the load generator was saturated (generator CPU 97 %): capacity may be understated",)


def test_whole_run_rate_when_too_few_windows() -> None:
    data = run_result()
    data["time_series"] = data["time_series"][:2]
    m = measurements_from_run_result(RunResult.model_validate(data), source="r.json")
    assert (m.api_capacity_rps, m.api_p95_ms) == (220.0, 120.0)


def test_no_worker_counters_means_no_guardrail_measurements() -> None:
    data = run_result()
    data["samples"]["prometheus"] = [p for p in data["samples"]["prometheus"] if p["url"] != WORKER]
    m = measurements_from_run_result(RunResult.model_validate(data), source="r.json")
    assert m.guardrail_evals_per_s is None and m.eval_cost_usd is None and m.eval_input_tokens is None


def test_incomplete_run_is_noted() -> None:
    data = run_result()
    data.update(complete=False, interrupted_reason="abortOnFail: errors")
    data["generator"]["saturated"] = False
    m = measurements_from_run_result(RunResult.model_validate(data), source="r.json")
    assert m.notes == ("the run did not complete (abortOnFail: errors)",)


def test_no_window_within_budget(tmp_path: Path) -> None:
    data = run_result()
    for point in data["time_series"]:
        if point["p95_ms"] is not None:
            point["p95_ms"] = 900.0
    with pytest.raises(ResultFileError, match=r"^r\.json: no 3 consecutive windows kept p95 within 200 ms"):
        measurements_from_run_result(RunResult.model_validate(data), source="r.json")


def test_load_from_a_run_directory_validates_through_the_result_model(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps(run_result()))
    assert load_measurements(tmp_path).api_capacity_rps == 220.0
    broken = copy.deepcopy(run_result())
    del broken["meta"]["window_s"]
    bad = tmp_path / "bad" / "result.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps(broken))
    with pytest.raises(ResultFileError) as err:
        load_measurements(bad)
    message = str(err.value)
    assert message.startswith(f"{bad}: ") and "window_s" in message and "\n" not in message


def test_a_typed_result_loaded_from_its_file_gives_the_same_measurements(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps(run_result()))
    typed = measurements_from_run_result(load_result(tmp_path), source="result.json")
    assert typed == measurements_from_result_json(run_result(), source="result.json")
    assert typed.api_capacity_rps == 220.0 and typed.redis_used_share is None  # no Redis samples


def test_the_whole_run_rate_is_per_second_of_the_load_phase_not_the_drain() -> None:
    data = run_result()
    data["time_series"] = data["time_series"][:2]
    data["scenarios"] = {"browse": _scenario(duration_s=64.0)}  # 17,600 requests in 64 s of load, 80 s wall
    m = measurements_from_run_result(RunResult.model_validate(data), source="r.json")
    assert m.api_capacity_rps == 275.0


def test_redis_headroom_is_peak_used_memory_over_maxmemory() -> None:
    data = run_result()
    mib = 1024 * 1024
    data["samples"]["redis"] = [
        {"t_s": 0.0, "used_memory": 2 * mib, "used_memory_rss": 7 * mib, "maxmemory": 256 * mib},
        {"t_s": 5.0, "used_memory": 4 * mib, "used_memory_rss": 9 * mib, "maxmemory": 256 * mib},
    ]
    m = measurements_from_run_result(RunResult.model_validate(data), source="r.json")
    assert m.redis_used_share == 4 / 256  # used_memory, not RSS (9 / 256)


def test_costs_errors_are_the_harness_input_errors() -> None:
    assert issubclass(CostError, InputError) and issubclass(ResultFileError, InputError)
    from harness.errors import ResultFileError as HarnessResultFileError

    assert ResultFileError is HarnessResultFileError
    with pytest.raises(ResultFileError) as err:
        measurements_from_result_json({"meta": {"run_id": "x"}}, source="r.json")
    assert (err.value.path, err.value.exit_code) == ("r.json", 2)
    assert str(err.value).startswith("r.json: is not a valid run result (") and "\n" not in str(err.value)


def _scenario(*, duration_s: float) -> dict[str, Any]:
    return {"executor": "constant-arrival-rate", "exec": "browse", "start_time_s": 0.0, "duration_s": duration_s,
            "target_rate_per_s": 10.0, "achieved_rate_per_s": 10.0, "iterations_started": 640,
            "iterations_completed": 640, "iteration_errors": 0, "dropped_iterations": 0, "vus_max": 5,
            "requests": 17600, "failures": {}, "http_req_duration": None, "iteration_duration": None,
            "iteration_lag": None}  # fmt: skip
