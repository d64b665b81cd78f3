"""`bwperf gate` for real: the embedded stack behind a delay proxy (one target URL throughout), two
baseline runs recorded through the proxy with no delay, then the gate with +10 ms on the /api/
routes. It runs twice (the first run regressed), fails with exit 1, and names the server's view:
the delay is in front of the server, so the server saw nothing ("client side only")."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.faults.delay_proxy import DelayProxy, DelayRule
from harness.results import load_result
from tests.conftest import own_platform

# Run alone, after the parallel part of `make test` (a 10 ms regression is confirmed only from runs measured on a quiet machine).
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[3]
PLAN = ROOT / "tests" / "harness" / "fixtures" / "gate_plan.yaml"
BROWSE_P50 = "browse_problems/GET /api/v1/problems/latency_p50_ms"


def bwperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bwperf", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, check=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with own_platform(tmp_path_factory.mktemp("gate-stack")) as running:
        yield running


@pytest.mark.slow
def test_the_gate_confirms_a_10ms_regression_in_front_of_the_server(stack: Any, tmp_path: Path) -> None:
    history = tmp_path / "history"
    with DelayProxy(upstream_url=stack.api_url, rules=[]) as proxy:
        for number in range(2):
            out = tmp_path / f"baseline-{number}"
            done = bwperf("run", str(PLAN), "--target", proxy.url, "--profile", "full", "--out", str(out), "--quiet")
            assert done.returncode == 0, done.stderr[-3000:]
            recorded = bwperf("baseline", "record", str(next(out.glob("*/result.json"))), "--dir", str(history))
            assert recorded.returncode == 0, recorded.stderr
        assert proxy.requests_delayed == 0

        proxy.set_rules([DelayRule(delay_ms=10.0, path_prefix="/api/")])
        report = tmp_path / "gate.json"
        done = bwperf("gate", str(PLAN), "--target", proxy.url, "--profile", "full", "--out", str(tmp_path / "gate"),
                      "--history", str(history), "--json", str(report), "--junit", str(tmp_path / "gate.xml"),
                      "--markdown", str(tmp_path / "gate.md"), "--quiet")
        delayed = proxy.requests_delayed

    document = json.loads(report.read_text()) if report.exists() else {}
    gate_runs = [load_result(path) for path in sorted((tmp_path / "gate").glob("*/result.json"))]
    both_clean = all(run.health is not None and run.health.verdict == "clean" for run in gate_runs)
    # On a clean machine the regression is confirmed (exit 1). A neighbour during either gate run
    # (another process on this host) may make it inconclusive (exit 4), and then it must say why.
    expected = (1,) if both_clean else (1, 4)
    assert done.returncode in expected, f"exit {done.returncode}\n{done.stderr[-3000:]}\n{json.dumps(document.get('notes'), indent=1)}"
    assert delayed > 400  # two gate runs of 400 /api/ requests each went through the proxy
    assert len(gate_runs) == 2  # it ran twice: confirm before failing
    for run in gate_runs:  # what the rules read: host conditions, time blocks, the server's own histograms
        assert run.health is not None and run.health.windows and run.health.total.cpu_pressure_some_pct is not None
        assert run.health.system_processes.endswith("with its children")  # the proxy's listener, found by port
        browse_blocks = next(w for w in run.latency_windows if w.scenario == "browse_problems")
        assert len(browse_blocks.hdr) >= 10 and browse_blocks.block_s == 0.5
        assert run.server_latency is not None and len(run.server_latency.window_t_s) >= 5
    assert any("confirmed over two runs" in note for note in document["notes"])
    metrics = {m["key"]: m for m in document["metrics"]}
    browse = metrics[BROWSE_P50]
    assert browse["delta"] > 7.0, browse
    if done.returncode == 1:
        # Confirmed. On a noisy host one metric's own windows may be degraded while the others
        # carry the regression: then it says so, and a client-side metric of the delayed routes
        # is regressed.
        assert browse["verdict"] == "regressed" or (
            browse["verdict"] == "inconclusive" and "degraded" in browse["reason"]), browse
        assert any(m["verdict"] == "regressed" and not key.startswith("server/") for key, m in metrics.items())
    else:
        assert browse["verdict"] == "inconclusive" and "sample windows degraded" in browse["reason"], browse
    assert browse["server"] is not None and "client side only" in browse["server"], browse
    assert metrics["server/GET /api/v1/problems/latency_p50_ms"]["verdict"] != "regressed"
    history_rows = (history / "history.jsonl").read_text().splitlines()
    assert len(history_rows) == 4 and all('"health":' in row for row in history_rows)
    junit = (tmp_path / "gate.xml").read_text()
    assert f'name="{BROWSE_P50}"' in junit
    assert ('type="regression"' if done.returncode == 1 else "<skipped") in junit
    assert "client side only" in (tmp_path / "gate.md").read_text()
