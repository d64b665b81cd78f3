"""Results from real `bwperf run`s (the engine's smoke plan against its counting server on
127.0.0.1) through compare, the store and the history: the adapter against what the engine writes,
not only against results built in tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.compare import CompareSettings, compare_runs, load_run
from tests.harness.engine.conftest import FIXTURES, ROOT, bwperf, server  # noqa: F401 - `server` is a fixture


def run_twice(counting_server, out: Path) -> list[Path]:
    for number in range(2):
        done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", counting_server.url, "--out", str(out / f"r{number}"))
        assert done.returncode == 0, done.stderr
    return sorted(out.glob("r*/*/result.json"))


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bwperf", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=120)


@pytest.mark.slow
def test_real_runs_through_compare_store_and_history(server, tmp_path: Path) -> None:  # noqa: F811 - the engine's fixture
    two_runs = run_twice(server, tmp_path / "runs")

    # 1. two runs of one plan: same fingerprint, the expected keys, no regression (library and CLI)
    baseline, current = (load_run(path) for path in two_runs)
    assert baseline.plan == current.plan
    assert {"light/GET /health/latency_p95_ms", "light/achieved_rate_per_s", "shared/dropped_iterations_pct"} <= set(baseline.metrics)
    assert not compare_runs([baseline], current, settings=CompareSettings()).regressed
    report = tmp_path / "cmp.json"
    done = cli("compare", "--baseline", two_runs[0], "--current", two_runs[1], "--json", report)
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["regressed"] is False

    # 2. the k6 summary export the engine writes beside its result stands against that result
    summary = load_run(two_runs[0].parent / "summary-export.json")
    comparison = compare_runs([baseline], summary, settings=CompareSettings())
    assert "(all)/(all)/latency_p95_ms" in {m.key for m in comparison.metrics} and not comparison.regressed

    # 3. promote, record, history, and compare against current.json
    store = tmp_path / "baselines"
    assert cli("baseline", "promote", two_runs[0], "--name", "smoke", "--dir", store).returncode == 0
    assert cli("baseline", "record", two_runs[1], "--dir", store).returncode == 0
    history = cli("baseline", "history", "--dir", store, "--metric", "light/*/latency_p50_ms")
    assert history.returncode == 0, history.stderr
    assert "1 of 1 metrics shown; 2 runs" in history.stdout
    assert cli("compare", "--baseline", store / "current.json", "--current", two_runs[1]).returncode == 0
