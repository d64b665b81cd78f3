"""`bwperf selftest`: the command line around the fault scenarios (the scenarios themselves are
tested in test_faults.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.faults.results import FaultResult, Figure
from harness.errors import EXIT_CHECK_FAILED, EXIT_OK
from harness.faults.selftest import (
    SCENARIOS,
    exit_code,
    run_scenarios,
    totals,
)

from .orphans import processes_naming, session_survivors

ROOT = Path(__file__).resolve().parents[2]


def _bwperf(*args: str, cwd: Path, timeout_s: float = 120) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    process = subprocess.Popen([sys.executable, "-m", "bwperf", *args], cwd=cwd, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    out, err = process.communicate(timeout=timeout_s)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), session_survivors(process.pid)


def test_selftest_runs_a_scenario_prints_its_figures_and_leaves_nothing_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done, survivors = _bwperf("selftest", "--only", "redis-down", "--home", str(home), cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    for text in ("redis-down", "429s while down", "served while down", "requests tried", "faults injected",
                 "all figures met their goals"):
        assert text in done.stdout, text
    assert survivors == [] and processes_naming(home) == []


def test_an_unknown_scenario_is_bad_input(tmp_path: Path) -> None:
    done, _ = _bwperf("selftest", "--only", "disk-full", cwd=tmp_path)
    assert done.returncode == 2
    assert "disk-full" in done.stdout and "redis-down" in done.stdout  # names the known ones


@dataclass(frozen=True)
class _Fake(FaultResult):
    lost: int

    @property
    def name(self) -> str:
        return "fake"

    def figures(self) -> list[Figure]:
        return [Figure.zero("jobs lost", self.lost), Figure.info("noise", 3)]


def test_one_missed_goal_or_one_crashed_scenario_fails_the_selftest(monkeypatch) -> None:
    class Lab:
        def ensure_servers_running(self) -> None:
            pass

    def crash(lab: object) -> FaultResult:
        raise RuntimeError("the API did not start")

    monkeypatch.setitem(SCENARIOS, "good", lambda lab: _Fake(requests_tried=10, faults_injected=1, lost=0))
    monkeypatch.setitem(SCENARIOS, "lossy", lambda lab: _Fake(requests_tried=5, faults_injected=1, lost=2))
    monkeypatch.setitem(SCENARIOS, "crash", crash)
    good = run_scenarios(Lab(), ["good"])  # type: ignore[arg-type]
    assert exit_code(good) == EXIT_OK
    runs = run_scenarios(Lab(), ["good", "lossy", "crash"])  # type: ignore[arg-type]
    assert exit_code(runs) == EXIT_CHECK_FAILED
    assert [run.ok for run in runs] == [True, False, False]
    assert runs[2].error == "RuntimeError: the API did not start"
    assert dict(totals(runs))["requests tried"] == "15"
    assert runs[1].result is not None and [f.name for f in runs[1].result.failures()] == ["jobs lost"]
    assert "FAILED (goal 0)" in runs[1].result.summary()


def test_the_public_surface_of_harness_faults() -> None:
    from harness import faults

    runners = sorted(name for name in faults.__all__ if name.startswith("run_"))
    assert runners == ["run_api_sigterm", "run_db_freeze", "run_db_outage", "run_redis_down", "run_valkey_restart",
                       "run_worker_kill"]
    assert sorted(f"run_{name.replace('-', '_')}" for name in SCENARIOS) == runners  # selftest runs every one
    assert all(hasattr(faults, name) for name in faults.__all__)
