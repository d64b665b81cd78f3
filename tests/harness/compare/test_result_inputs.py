"""Our run result (built through harness.results' model, saved with save_result) as an input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.compare import CompareSettings, Verdict, compare_runs, load_run
from harness.compare.quantiles import nearest_rank
from harness.errors import ResultFileError
from harness.results import RunResult, save_result
from tests.harness.compare.results_factory import BASELINE_PLAN, build_result

P95 = "browse_problems/GET /api/v1/problems/latency_p95_ms"


@pytest.fixture
def result_file(tmp_path: Path) -> Path:
    return save_result(build_result(BASELINE_PLAN, seed=1, run_id="2026-01-06-weekly"), tmp_path / "result.json")


def test_from_result_reads_every_metric_family(result_file: Path) -> None:
    result = build_result(BASELINE_PLAN, seed=1)
    run = load_run(result_file)
    assert run.run_id == "2026-01-06-weekly" and run.source_format == "bwperf run result"
    assert run.plan_sha256 == "0" * 64
    m = run.metrics
    browse = next(r for r in result.requests if r.name == "/api/v1/problems" and r.method == "GET")
    assert m[P95].value == pytest.approx(browse.duration_ms.p95)  # same nearest-rank reading as hdrh
    assert m[P95].distribution is not None and m[P95].distribution.total == browse.count
    assert m["browse_problems/GET /api/v1/problems/throughput_per_s"].value == pytest.approx(browse.count / 60.0)
    create = next(r for r in result.requests if r.method == "POST")
    assert m["create_problems/POST /api/v1/problems/error_rate_pct"].events == sum(create.failures.values())
    assert m["browse_problems/achieved_rate_per_s"].value == pytest.approx(result.scenarios["browse_problems"].iterations_started / 60.0)
    assert m["browse_problems/dropped_iterations_pct"].trials == (
        result.scenarios["browse_problems"].iterations_started + result.scenarios["browse_problems"].dropped_iterations)
    assert m["(all)/(all)/latency_p99_ms"].value == pytest.approx(result.metrics["http_req_duration"].trend.p99)
    assert m["guardrail_latency/latency_p95_ms"].distribution is not None
    assert m["guardrail_latency/throughput_per_s"].value == pytest.approx(5.0)
    assert m["redis/used_memory_peak_bytes"].value == max(s.used_memory for s in result.samples.redis)
    assert run.plan["scenario.browse_problems.rate_per_s"] == 200.0
    assert run.plan["scenario.browse_problems.executor"] == "constant-arrival-rate"
    assert nearest_rank(95.0, 100) == 95


def test_error_rate_counts_http_failures_not_failed_checks() -> None:
    from harness.compare import from_result

    result = build_result(BASELINE_PLAN, seed=1)
    first = result.requests[0].model_copy(update={"failures": {"5xx": 3, "429": 2, "check": 7}})
    run = from_result(result.model_copy(update={"requests": [first, *result.requests[1:]]}), source="memory")
    key = f"{first.scenario}/{first.method} {first.name}/error_rate_pct"
    assert (run.metrics[key].events, run.metrics[key].trials) == (5, first.count)


def test_result_files_compare_end_to_end(tmp_path: Path, result_file: Path) -> None:
    slower = save_result(build_result(BASELINE_PLAN.scaled(1.3, name="/api/v1/problems", method="GET"), seed=2), tmp_path / "slow.json")
    comparison = compare_runs([load_run(result_file)], load_run(slower), settings=CompareSettings())
    regressed = {m.key for m in comparison.metrics if m.verdict is Verdict.REGRESSED}
    assert P95 in regressed
    assert all(key.startswith(("browse_problems/GET /api/v1/problems/", "(all)/(all)/")) for key in regressed)


def test_a_result_and_a_k6_summary_of_it_compare_on_shared_keys(tmp_path: Path, result_file: Path) -> None:
    from harness.results import write_k6_summary

    summary = write_k6_summary(build_result(BASELINE_PLAN, seed=1), tmp_path / "summary.json")
    comparison = compare_runs([load_run(result_file)], load_run(summary), settings=CompareSettings())
    assert not comparison.regressed
    assert "(all)/(all)/latency_p95_ms" in {m.key for m in comparison.metrics}


def test_truncated_result_is_refused_with_the_path(tmp_path: Path, result_file: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text(result_file.read_text()[:500])
    with pytest.raises(ResultFileError) as caught:
        load_run(cut)
    assert str(caught.value).startswith(f"{cut}: is truncated")


def test_other_schema_version_is_refused(tmp_path: Path, result_file: Path) -> None:
    document = json.loads(result_file.read_text())
    document["schema_version"] = 99
    other = tmp_path / "v99.json"
    other.write_text(json.dumps(document))
    with pytest.raises(ResultFileError, match="schema_version 99"):
        load_run(other)


def test_corrupt_histogram_is_an_input_error(tmp_path: Path, result_file: Path) -> None:
    document = json.loads(result_file.read_text())
    document["requests"][0]["duration_ms"]["hdr"] = "not-a-histogram"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    with pytest.raises(ResultFileError, match="cannot be read"):
        load_run(broken)


def _with_wall_time(result: RunResult, duration_s: float, *, complete: bool = True) -> RunResult:
    return result.model_copy(update={"meta": result.meta.model_copy(update={"duration_s": duration_s}),
                                     "complete": complete})


def test_run_wide_rates_are_per_second_of_the_load_phase_not_the_drain() -> None:
    from harness.compare import from_result

    result = build_result(BASELINE_PLAN, seed=1)  # every scenario scheduled for 60 s
    short_drain = from_result(_with_wall_time(result, 60.5), source="a").metrics
    long_drain = from_result(_with_wall_time(result, 63.4), source="b").metrics  # 60.5 s / 63.4 s is 4.6 % apart
    iterations = result.metrics["iterations"].count
    for key in ("(all)/achieved_rate_per_s", "(all)/(all)/throughput_per_s", "browse_problems/achieved_rate_per_s",
                "guardrail_latency/throughput_per_s"):
        assert short_drain[key].value == long_drain[key].value, key
    assert long_drain["(all)/achieved_rate_per_s"].value == pytest.approx(iterations / 60.0)
    assert long_drain["(all)/achieved_rate_per_s"].duration_s == 60.0  # the rate's noise band counts 60 s too


def test_a_run_that_stopped_early_divides_by_the_time_it_ran() -> None:
    from harness.compare import from_result

    result = build_result(BASELINE_PLAN, seed=1)
    stopped = from_result(_with_wall_time(result, 30.0, complete=False), source="a").metrics
    started = result.scenarios["browse_problems"].iterations_started
    assert stopped["(all)/achieved_rate_per_s"].value == pytest.approx(result.metrics["iterations"].count / 30.0)
    assert stopped["browse_problems/achieved_rate_per_s"].value == pytest.approx(started / 30.0)


def test_percentile_points_are_the_results_stored_clamped_values_and_keep_the_histogram() -> None:
    from harness.compare import from_result

    result = build_result(BASELINE_PLAN, seed=1)
    first = result.requests[0]
    clamped = first.duration_ms.model_copy(update={"p95": first.duration_ms.p95 - 0.25, "p99": first.duration_ms.max})
    whole = result.metrics["http_req_duration"]
    stored = result.model_copy(update={
        "requests": [first.model_copy(update={"duration_ms": clamped}), *result.requests[1:]],
        "metrics": {**result.metrics, "http_req_duration": whole.model_copy(update={
            "trend": whole.trend.model_copy(update={"med": whole.trend.med + 0.125})})},
    })
    metrics = from_result(stored, source="memory").metrics
    prefix = f"{first.scenario}/{first.method} {first.name}"
    assert metrics[f"{prefix}/latency_p95_ms"].value == clamped.p95
    assert metrics[f"{prefix}/latency_p99_ms"].value == clamped.max
    assert metrics["(all)/(all)/latency_p50_ms"].value == whole.trend.med + 0.125
    assert metrics[f"{prefix}/latency_p95_ms"].distribution.total == first.count  # the noise band's histogram
