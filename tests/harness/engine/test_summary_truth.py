"""Truth in the run summary (issue 18, point 9): iterations that raise are shown and a run whose
every iteration raised is not a pass; drops during a server stall are not blamed on the generator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.results.verdict import run_verdict
from harness.errors import EXIT_OK, EXIT_SCRIPT_ERROR, EXIT_THRESHOLDS_FAILED
from harness.health.generator import ScenarioLoad, saturation_reasons
from harness.insights import find_insights, raised_iterations
from harness.results import load_result

from .conftest import FIXTURES, bwperf

RAISING = '''
def broken(vu):
    vu.client.get("/health", name="/health")
    raise ZeroDivisionError("a behaviour's bug")
'''
# 20 ms answers at 50/s on 5 VUs; the 250th request (at ~5 s) starts a 2 s stall of every request
STALL_PLAN = f'''
behaviours: {FIXTURES / "engine_behaviours.py"}
scenarios:
  stalled:
    executor: constant-arrival-rate
    rate: 50
    duration: 6s
    preAllocatedVUs: 5
    maxVUs: 5
    gracefulStop: 3s
    exec: stalled
'''


def write_raising_plan(directory: Path, *, threshold: str | None = None) -> Path:
    (directory / "raising.py").write_text(RAISING)
    plan = directory / "raising.yaml"
    thresholds = f"thresholds:\n  http_req_duration: [\"{threshold}\"]\n" if threshold else ""
    plan.write_text("behaviours: raising.py\nscenarios:\n  s:\n    executor: shared-iterations\n    vus: 2\n"
                    f"    iterations: 20\n    maxDuration: 5s\n    exec: broken\n{thresholds}")
    return plan


def test_a_behaviour_that_always_raises_is_shown_and_exits_5(server, tmp_path):
    done = bwperf(str(write_raising_plan(tmp_path)), "--target", server.url, "--out", str(tmp_path / "out"))
    assert done.returncode == EXIT_SCRIPT_ERROR, done.stderr
    assert "iteration errors: scenario s: 20 of 20 iterations raised: ZeroDivisionError" in done.stderr
    [path] = (tmp_path / "out").glob("*/result.json")
    result = load_result(path)
    assert result.scenarios["s"].iteration_errors == 20 and result.scenarios["s"].failures == {}
    verdict = run_verdict(result)
    assert verdict.exit_code == EXIT_SCRIPT_ERROR
    assert verdict.text.startswith("FAIL: every iteration of scenario s raised")  # never PASS
    assert "FAIL: every iteration of scenario s raised" in summary_text(path)
    assert [i.kind for i in find_insights(result)][:1] == ["iterations_raised"]
    summary = summary_text(path)
    assert "**iteration errors**: scenario s: 20 of 20 iterations raised" in summary


def test_some_iterations_raising_is_shown_but_a_failed_threshold_keeps_99(server, tmp_path):
    done = bwperf(str(write_raising_plan(tmp_path, threshold="p(95)<0.001")), "--target", server.url,
                  "--out", str(tmp_path / "out"))
    assert done.returncode == EXIT_THRESHOLDS_FAILED, done.stderr  # a failure of the plan's own outranks 5
    [path] = (tmp_path / "out").glob("*/result.json")
    result = load_result(path)
    partly = result.model_copy(update={"scenarios": {"s": result.scenarios["s"].model_copy(
        update={"iteration_errors": 3})}, "thresholds": [], "thresholds_ok": True})
    assert run_verdict(partly).exit_code == EXIT_OK  # as k6: shown, not failed
    assert [r.text for r in raised_iterations(partly)] == [
        "scenario s: 3 of 20 iterations raised: ZeroDivisionError(\"a behaviour's bug\")"]
    assert not any(i.kind == "iterations_raised" for i in find_insights(partly))


def test_drops_held_by_one_slow_response_are_the_servers():
    fast_server = ScenarioLoad("fast", 30, 50.0, 10.0, 20, slowest_response_ms=60.0)
    stalled = ScenarioLoad("stalled", 30, 50.0, 10.0, 20, slowest_response_ms=2000.0)  # 50/s x 2 s = 100 VUs
    reasons = saturation_reasons(lag_p99_ms=1.0, cpu=[], scenarios=[fast_server, stalled])
    assert len(reasons) == 1 and "scenario fast dropped 30" in reasons[0]


def test_a_real_server_stall_is_not_a_slow_generator(server, tmp_path):
    plan = tmp_path / "stall.yaml"
    plan.write_text(STALL_PLAN)
    done = bwperf(str(plan), "--target", server.url, "--out", str(tmp_path / "out"))
    [path] = (tmp_path / "out").glob("*/result.json")
    stalled = load_result(path).scenarios["stalled"]
    assert stalled.dropped_iterations > 0, done.stderr
    assert stalled.http_req_duration is not None and stalled.http_req_duration.max >= 1500
    load = ScenarioLoad("stalled", stalled.dropped_iterations, stalled.target_rate_per_s,
                        stalled.iteration_duration.p95, stalled.vus_max)
    assert any("generator slow" in r for r in saturation_reasons(lag_p99_ms=1.0, cpu=[], scenarios=[load]))  # the old reading
    with_server = replace(load, slowest_response_ms=stalled.http_req_duration.max)
    assert saturation_reasons(lag_p99_ms=1.0, cpu=[], scenarios=[with_server]) == []


def summary_text(result_path):
    return (result_path.parent / "summary.md").read_text()
