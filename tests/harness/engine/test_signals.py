"""`bwperf run` stopped from outside (issue 18): SIGINT and SIGTERM sent to the `bwperf run` process
alone (what CI cancellation, `timeout` and docker send), kill -9 of it, and kill -9 of a master with
local workers. Real processes against the counting server: afterwards no engine process is left
(psutil) and the server counts no more requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.errors import EXIT_INTERRUPTED
from harness.results import load_result
from harness.results.model import RUNNING_REASON

from .conftest import FIXTURES, ROOT, free_port

SLOW_PLAN = FIXTURES / "engine_slow.yaml"  # 60 s of /sleep?ms=300 at 10/s: stopped after ~2 s here
GONE_WITHIN_S = 3.0
QUIET_FOR_S = 1.0


def start_run(server, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bwperf", "run", str(SLOW_PLAN), "--target", server.url, "--out", str(out), "--quiet",
         *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while server.count("/sleep") < 5:  # the load has started
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "the load never started"
        time.sleep(0.1)
    return process


def engine_processes(parent: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return psutil.Process(parent.pid).children(recursive=True)


def assert_gone(processes: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(processes, timeout=GONE_WITHIN_S)
    assert not alive, [p.cmdline() for p in alive]


def assert_no_more_requests(server) -> None:
    before = server.count("/sleep")
    time.sleep(QUIET_FOR_S)
    assert server.count("/sleep") == before


def only_result(out: Path):
    results = list(out.glob("*/result.json"))
    assert len(results) == 1, results
    return load_result(results[0]), results[0].parent


@pytest.mark.parametrize(("sig", "reason"), [(signal.SIGINT, "interrupted (Ctrl-C)"),
                                             (signal.SIGTERM, "interrupted (SIGTERM)")])
def test_a_signal_to_bwperf_run_stops_the_load_and_keeps_a_partial_result(server, tmp_path, sig, reason):
    process = start_run(server, tmp_path)
    engines = engine_processes(process)
    assert engines, "no engine process found"
    sent_at = time.monotonic()
    os.kill(process.pid, sig)  # the parent alone: it forwards the stop to the engine
    assert_gone(engines)
    stopped_s = time.monotonic() - sent_at
    assert_no_more_requests(server)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_INTERRUPTED, stderr.decode()
    result, run_dir = only_result(tmp_path)
    assert not result.complete and result.interrupted_reason == reason
    assert result.scenarios["slow"].requests > 0
    assert (run_dir / "summary.md").exists() and (run_dir / "report.html").exists()
    assert "INCOMPLETE" in (run_dir / "summary.md").read_text()
    assert stopped_s < GONE_WITHIN_S


def test_kill_9_of_bwperf_run_takes_the_engine_with_it(server, tmp_path):
    process = start_run(server, tmp_path)
    engines = engine_processes(process)
    assert engines, "no engine process found"
    process.kill()
    process.wait(timeout=10)
    assert_gone(engines)
    assert_no_more_requests(server)
    result, _ = only_result(tmp_path)  # the engine's last words: stopped, not "running" to the plan's end
    assert not result.complete and result.interrupted_reason != RUNNING_REASON, result.interrupted_reason


def test_kill_9_of_the_master_takes_its_workers_with_it(server, tmp_path):
    process = start_run(server, tmp_path, "--workers", "2", "--master-port", str(free_port()))
    master = next(p for p in engine_processes(process) if "harness.engine.main" in p.cmdline())
    workers = master.children()
    assert len(workers) == 2, [w.cmdline() for w in workers]
    master.kill()
    assert_gone(workers)
    assert_no_more_requests(server)
    process.kill()  # what it does with a master that died (exit 137, a report of the snapshot) is not asked here
    process.communicate(timeout=30)
