"""While a run is going, its result file is a live snapshot (incomplete, "running"), replaced
by the final result at the end: what the dashboard follows without a reload."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from harness.results import ResultFileError, load_result
from harness.results.model import RUNNING_REASON

from .conftest import FIXTURES, ROOT


def test_a_running_run_publishes_snapshots_then_its_final_result(server, tmp_path: Path) -> None:
    plan = tmp_path / "live.yaml"
    plan.write_text((FIXTURES / "engine_smoke.yaml").read_text().replace("duration: 2s", "duration: 4s")
                    + "\n", encoding="utf-8")
    assert "duration: 4s" in plan.read_text(), "fixture changed: adjust this test"
    (tmp_path / "engine_behaviours.py").write_text((FIXTURES / "engine_behaviours.py").read_text())
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bwperf", "run", str(plan), "--target", server.url,
                                "--out", str(out), "--quiet", "--sample-interval", "0.5"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    snapshots = []
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        for path in out.glob("*/result.json"):
            try:
                result = load_result(path)
            except ResultFileError:  # never expected: writes are atomic
                raise
            if not result.complete:
                snapshots.append(result)
        time.sleep(0.2)
    assert process.wait(timeout=30) == 0, process.stdout.read().decode(errors="replace")
    assert snapshots, "no live snapshot seen while the run was going"
    assert all(s.interrupted_reason == RUNNING_REASON for s in snapshots)
    requests = [sum(r.count for r in s.requests) for s in snapshots]
    assert requests == sorted(requests) and requests[-1] > 0, requests
    (final_path,) = out.glob("*/result.json")
    final = load_result(final_path)
    assert final.complete and final.interrupted_reason is None
    assert sum(r.count for r in final.requests) >= requests[-1]
