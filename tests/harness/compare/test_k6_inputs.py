"""k6 files as inputs: the NDJSON output and the summary export (both shapes)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from harness.compare import CompareSettings, Verdict, compare_runs, load_run
from harness.compare.k6_inputs import split_metric_name
from harness.errors import ResultFileError

FIXTURES = Path(__file__).parent / "fixtures"
P95 = "browse_problems/GET /api/v1/problems/latency_p95_ms"


def test_ndjson_fixture_parses_into_per_request_metrics() -> None:
    run = load_run(FIXTURES / "k6_run.ndjson")
    assert run.source_format == "k6 NDJSON (--out json)"
    assert run.plan == {"scenarios": ["browse_problems", "search_missions"]}
    assert run.started_at == datetime(2026, 1, 12, 3, 0, 0, 123456, tzinfo=UTC)
    m = run.metrics
    assert m["search_missions/GET /api/v1/missions/nearby/error_rate_pct"].value == pytest.approx(100 / 12)
    assert m["search_missions/GET /api/v1/missions/nearby/error_rate_pct"].trials == 12
    assert m["browse_problems/GET /api/v1/problems/error_rate_pct"].value == 0.0
    assert m["search_missions/dropped_iterations_pct"].events == 1
    assert m["browse_problems/achieved_rate_per_s"].events == 12
    assert m[P95].has_noise_estimate and m[P95].distribution is not None and m[P95].distribution.total == 12
    assert "guardrail_latency/latency_p95_ms" in m
    assert not any(key.startswith("default/") for key in m)  # vus points carry no scenario
    # the exact samples: the p50 of the busy request is its 6th smallest duration
    durations = sorted(
        line["data"]["value"] for line in map(json.loads, (FIXTURES / "k6_run.ndjson").read_text().splitlines())
        if line["type"] == "Point" and line["metric"] == "http_req_duration"
        and line["data"]["tags"]["scenario"] == "browse_problems"
    )
    assert m["browse_problems/GET /api/v1/problems/latency_p50_ms"].value == durations[5]


def write_ndjson(path: Path, *, median_ms: float, seed: int, requests: int = 4000, gz: bool = False) -> Path:
    """A k6 `--out json` file of one constant-arrival-rate scenario at 50 req/s."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 12, 3, 0, tzinfo=UTC)
    lines = [json.dumps({"type": "Metric", "data": {"type": "trend", "contains": "time", "thresholds": [], "submetrics": None}, "metric": "http_req_duration"})]
    for i, value in enumerate(rng.lognormal(np.log(median_ms), 0.5, requests)):
        time = (start + timedelta(milliseconds=20 * i)).isoformat().replace("+00:00", "Z")
        tags = {"scenario": "browse_problems", "method": "GET", "name": "https://staging.example/api/v1/problems", "status": "200"}
        lines.append(json.dumps({"metric": "http_req_duration", "type": "Point", "data": {"time": time, "value": float(value), "tags": tags}}))
        lines.append(json.dumps({"metric": "http_req_failed", "type": "Point", "data": {"time": time, "value": 0, "tags": tags}}))
    text = "\n".join(lines) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_ndjson_runs_compare_with_noise_estimates(tmp_path: Path) -> None:
    baseline = load_run(write_ndjson(tmp_path / "base.json", median_ms=20, seed=1))
    same = load_run(write_ndjson(tmp_path / "same.json", median_ms=20, seed=2))
    slower = load_run(write_ndjson(tmp_path / "slow.json.gz", median_ms=26, seed=3, gz=True))
    settings = CompareSettings()
    assert not compare_runs([baseline], same, settings=settings).regressed
    regressed = compare_runs([baseline], slower, settings=settings)
    p95 = next(m for m in regressed.metrics if m.key == P95)
    assert p95.verdict is Verdict.REGRESSED
    assert p95.noise_source.startswith("CI")


def test_truncated_ndjson_names_the_file_and_line(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "cut.json", median_ms=20, seed=1, requests=10)
    text = path.read_text()
    path.write_text(text[: len(text) - 30])
    with pytest.raises(ResultFileError) as caught:
        load_run(path)
    assert str(caught.value) == f"{path}: is truncated (line 21 is incomplete)"  # 1 Metric + 20 Point lines


def test_ndjson_with_a_broken_middle_line(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "bad.json", median_ms=20, seed=1, requests=3)
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:10]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResultFileError, match=r"line 3 is not valid JSON"):
        load_run(path)


def test_summary_export_has_no_noise_estimate_for_latency() -> None:
    run = load_run(FIXTURES / "k6_summary_export.json")
    assert run.source_format == "k6 summary export" and not run.plan_known
    m = run.metrics
    assert m["(all)/(all)/latency_p95_ms"].value == 31.6 and not m["(all)/(all)/latency_p95_ms"].has_noise_estimate
    assert m["(all)/(all)/latency_p50_ms"].value == 11.8  # "med"
    assert m["browse_problems/(all)/latency_p99_ms"].value == 49.9
    assert "(all)/(all)/latency_p95_ms{expected_response:true}" not in m
    error_rate = m["(all)/(all)/error_rate_pct"]  # k6: a failed request is a "pass" of http_req_failed
    assert (error_rate.events, error_rate.trials) == (41, 24000)
    assert m["(all)/(all)/throughput_per_s"].value == pytest.approx(24000 / 300.5124)
    assert m["(all)/dropped_iterations_pct"].value == pytest.approx(100 * 12 / 24012)
    assert m["guardrail_latency/latency_p95_ms"].value == 702.9


def test_summary_against_summary_falls_back_to_the_thresholds() -> None:
    comparison = compare_runs(
        [load_run(FIXTURES / "k6_summary_export.json")], load_run(FIXTURES / "k6_handle_summary.json"), settings=CompareSettings()
    )
    p95 = next(m for m in comparison.metrics if m.key == "(all)/(all)/latency_p95_ms")
    assert (p95.verdict, p95.noise, p95.noise_source) == (Verdict.REGRESSED, None, "no noise estimate")
    errors = next(m for m in comparison.metrics if m.key == "(all)/(all)/error_rate_pct")
    assert errors.verdict is Verdict.REGRESSED and errors.noise is not None  # counts give a binomial band
    assert any("carries no plan" in note for note in comparison.notes)


def test_split_metric_name() -> None:
    assert split_metric_name("http_req_duration{scenario:browse,name:GET /x}") == (
        "http_req_duration", {"scenario": "browse", "name": "GET /x"})
    assert split_metric_name("http_reqs") == ("http_reqs", {})


def test_summary_without_metrics_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(ResultFileError, match="not a run result"):
        load_run(path)
