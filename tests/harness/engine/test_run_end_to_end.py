"""`bwperf run` end to end, in subprocesses, against a real HTTP server on 127.0.0.1."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLDS_FAILED
from harness.results import load_result

from .conftest import FIXTURES, ROOT, bwperf, free_port


def only_result(out: Path):
    results = list(out.glob("*/result.json"))
    assert len(results) == 1, results
    return load_result(results[0]), results[0].parent


def test_run_counts_what_the_server_counts(server, tmp_path):
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    result, run_dir = only_result(tmp_path)
    light, shared = result.scenarios["light"], result.scenarios["shared"]
    # 20/s for 2 s: 40 scheduled starts, each started or (on a starved machine) dropped
    assert light.iterations_started + light.dropped_iterations == 40
    assert light.requests == light.iterations_started >= 30
    assert (shared.iterations_completed, shared.requests) == (12, 12)
    total = light.requests + 12
    assert server.count("/health") == total
    assert result.complete and len(result.thresholds) == 4
    assert light.target_rate_per_s == 20.0 and light.achieved_rate_per_s == light.iterations_started / 2
    assert light.iteration_lag is not None and light.iteration_lag.count == light.iterations_started
    assert result.metrics["calls"].count == total and result.metrics["checks"].rate == 1.0
    assert {p.scenario for p in result.time_series} == {"light", "shared"}
    assert sum(p.requests for p in result.time_series) == total
    assert result.samples.prometheus and result.meta.workers == 1 and result.meta.plan_sha256
    summary = json.loads((run_dir / "summary-export.json").read_text())
    assert summary["metrics"]["http_reqs"]["count"] == total


def test_two_workers_run_the_same_schedule(server, tmp_path):
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", server.url, "--out", str(tmp_path),
                  "--workers", "2", "--master-port", str(free_port()))
    assert done.returncode == EXIT_OK, done.stderr
    result, _ = only_result(tmp_path)
    assert result.meta.workers == 2
    light = result.scenarios["light"]
    assert light.iterations_started + light.dropped_iterations == 40  # the one-process schedule, split in two
    assert result.scenarios["shared"].iterations_completed == 12
    assert result.metrics["http_reqs"].count == light.iterations_started + 12 == server.count("/health")
    assert {p.role for p in result.generator.processes} == {"master", "worker 0", "worker 1"}


def test_failed_thresholds_exit_99_and_429_is_its_own_class(server, tmp_path):
    done = bwperf(str(FIXTURES / "engine_failing.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_THRESHOLDS_FAILED, done.stderr
    result, _ = only_result(tmp_path)
    requests = result.scenarios["limited"].requests
    assert requests > 0 and result.scenarios["limited"].failures == {"429": requests}
    assert [t.ok for t in result.thresholds] == [False, False]
    assert result.complete


def test_abort_on_fail_stops_the_run_early(server, tmp_path):
    started = time.monotonic()
    done = bwperf(str(FIXTURES / "engine_abort.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_THRESHOLDS_FAILED, done.stderr
    assert time.monotonic() - started < 20
    result, _ = only_result(tmp_path)
    assert not result.complete and "abortOnFail" in result.interrupted_reason
    assert result.thresholds[0].aborted_run and not result.thresholds[0].ok


def test_setup_registers_agents_and_vus_use_them(server, tmp_path):
    done = bwperf(str(FIXTURES / "engine_agents.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    assert server.count("/api/v1/auth/agents/register") == 3
    result, run_dir = only_result(tmp_path)
    assert result.scenarios["keyed"].iterations_completed == 6
    assert result.metrics["guardrail_latency"].trend.p95 == pytest.approx(5.0, rel=1e-3)
    assert result.metrics["guardrail_latency"].contains == "time"  # declared Trend(..., time=True)
    assert "bw_" not in (run_dir / "result.json").read_text()  # keys never reach the result


def test_bad_plan_exits_2_naming_the_problem(tmp_path):
    plan = tmp_path / "bad.yaml"
    plan.write_text("scenarios:\n  s:\n    executor: constant-arrival-rate\n    rate: -5\n    duration: 1s\n    preAllocatedVUs: 1\n")
    done = bwperf(str(plan), "--target", "http://127.0.0.1:9", "--out", str(tmp_path))
    assert done.returncode == EXIT_INPUT
    assert "scenarios.s.rate must be > 0, but is -5" in done.stderr


def test_unreachable_and_remote_targets_exit_2(tmp_path):
    port = free_port()
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", f"http://127.0.0.1:{port}", "--out", str(tmp_path))
    assert done.returncode == EXIT_INPUT and "unreachable" in done.stderr
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", "http://10.1.2.3:80", "--out", str(tmp_path))
    assert done.returncode == EXIT_INPUT and "--allow-remote-target" in done.stderr


def test_ctrl_c_writes_a_partial_result(server, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bwperf", "run", str(FIXTURES / "engine_slow.yaml"), "--target", server.url,
         "--out", str(tmp_path), "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while server.count("/sleep") < 3 and time.monotonic() < deadline:  # the load has started
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == EXIT_INTERRUPTED, stderr.decode()
    result, _ = only_result(tmp_path)
    assert not result.complete and result.interrupted_reason == "interrupted (Ctrl-C)"
    assert result.scenarios["slow"].requests > 0


DETERMINISTIC = {"arrivals": 30, "ramp": 20, "shared": 9, "per_vu": 9}


@pytest.mark.parametrize("workers", [0, 2])
def test_every_executor_at_once_with_one_and_two_workers(server, tmp_path, workers):
    extra = ["--workers", str(workers), "--master-port", str(free_port())] if workers else []
    done = bwperf(str(FIXTURES / "engine_all_executors.yaml"), "--target", server.url, "--out", str(tmp_path), *extra)
    assert done.returncode == EXIT_OK, done.stderr
    result, _ = only_result(tmp_path)
    scheduled = {name: s.iterations_started + s.dropped_iterations for name, s in result.scenarios.items()}
    assert {name: scheduled[name] for name in DETERMINISTIC} == DETERMINISTIC
    assert result.scenarios["looping"].iterations_completed >= 2  # 300 ms iterations for 1 s on 2 VUs
    assert result.scenarios["ramping_vus"].iterations_completed > 0
    assert result.scenarios["ramping_vus"].vus_max <= 2
    assert all(t.ok for t in result.thresholds)
    assert result.meta.workers == max(1, workers)
