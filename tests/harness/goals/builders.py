"""Small RunResults built exactly, for judging goals on known figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harness.results.model import RunResult


def scenario(*, requests: int, failures: dict[str, int] | None = None, start_s: float = 0, duration_s: float = 10) -> dict[str, Any]:
    return {"executor": "constant-vus", "exec": "f", "start_time_s": start_s, "duration_s": duration_s,
            "target_rate_per_s": None, "achieved_rate_per_s": 1, "iterations_started": requests,
            "iterations_completed": requests, "iteration_errors": 0, "dropped_iterations": 0, "vus_max": 1,
            "requests": requests, "failures": failures or {}, "http_req_duration": None,
            "iteration_duration": None, "iteration_lag": None}


def build_result(*, scenarios: dict[str, dict[str, Any]] | None = None, requests: list[dict[str, Any]] | None = None,
                 prometheus: list[dict[str, Any]] | None = None, redis: list[dict[str, Any]] | None = None,
                 duration_scale: float = 1.0) -> RunResult:
    now = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    return RunResult.model_validate({
        "meta": {"run_id": "r", "started_at": now, "ended_at": now, "duration_s": 10, "target": "http://127.0.0.1:1",
                 "plan_path": "p.yaml", "plan_sha256": "0", "profile": "full", "duration_scale": duration_scale,
                 "git_sha": None, "versions": {"python": "3", "locust": "2", "harness": "0"},
                 "machine": {"hostname": "h", "cpu_count": 2, "platform": "linux"}, "workers": 1, "window_s": 1},
        "complete": True, "scenarios": scenarios or {}, "requests": requests or [], "metrics": {},
        "thresholds": [], "thresholds_ok": True, "time_series": [],
        "samples": {"interval_s": 1, "prometheus": prometheus or [], "redis": redis or []},
        "generator": {"lag_p50_ms": None, "lag_p99_ms": None, "lag_max_ms": None, "dropped_iterations": 0,
                      "processes": [], "saturated": False, "reasons": []},
    })


def prom(t_s: float, url: str, **values: float) -> dict[str, Any]:
    return {"t_s": t_s, "url": url, "values": values}
