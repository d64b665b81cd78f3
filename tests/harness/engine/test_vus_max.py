"""vus_max counts the VUs a scenario had at its peak, even when the whole scenario fits between
two window closes (a reading taken only at window boundaries would see none)."""

from __future__ import annotations

from pathlib import Path

from harness.errors import EXIT_OK

from .conftest import FIXTURES, bwperf
from .test_run_end_to_end import only_result


def test_a_scenario_shorter_than_a_window_still_reports_its_vus(server, tmp_path: Path) -> None:
    plan = tmp_path / "short.yaml"
    plan.write_text(
        f"behaviours: {FIXTURES / 'engine_behaviours.py'}\n"
        "scenarios:\n"
        "  quick:\n"
        "    executor: per-vu-iterations\n"
        "    vus: 4\n"
        "    iterations: 1\n"
        "    exec: get_health\n"
        "sampling:\n"
        "  window: 5s\n",
        encoding="utf-8",
    )
    done = bwperf(str(plan), "--target", server.url, "--out", str(tmp_path / "out"))
    assert done.returncode == EXIT_OK, done.stderr
    result, _ = only_result(tmp_path / "out")
    assert result.scenarios["quick"].iterations_completed == 4
    assert result.scenarios["quick"].vus_max == 4
