"""Data files end to end: `bwperf run` in subprocesses against the counting server, which counts
every row's use under its own path (GET /use/<row_id>)."""

import re

import httpx
import pytest

from harness.errors import EXIT_INPUT, EXIT_OK
from harness.results import load_result

from .conftest import FIXTURES, bwperf, free_port

ROWS = 60  # tests/harness/fixtures/data_rows.csv


def uses(server) -> dict[str, int]:
    """Row id -> how many requests the server saw for it."""
    found = re.findall(r'path="/use/([^"]+)"\}\s+(\d+)', httpx.get(server.url + "/metrics", timeout=10).text)
    return {row: int(count) for row, count in found}


def test_unique_rows_with_two_workers_are_each_used_exactly_once(server, tmp_path):
    done = bwperf(str(FIXTURES / "data_unique.yaml"), "--target", server.url, "--out", str(tmp_path),
                  "--workers", "2", "--master-port", str(free_port()))
    assert done.returncode == EXIT_OK, done.stderr
    assert uses(server) == {f"r{i:03d}": 1 for i in range(ROWS)}
    result = load_result(next(tmp_path.glob("*/result.json")))
    assert result.meta.workers == 2 and result.scenarios["consume"].requests == ROWS
    assert any(w.startswith("data rows: rows ran out in scenario consume, which was stopped (onExhausted: stop)")
               for w in result.warnings), result.warnings


def test_per_vu_rows_stay_with_their_vu(server, tmp_path):
    done = bwperf(str(FIXTURES / "data_per_vu.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    assert uses(server) == {f"r{i:03d}": 3 for i in range(5)}  # 5 VUs x 3 iterations, each on its own row


@pytest.mark.parametrize("workers", [0, 2])
def test_running_out_with_on_exhausted_fail_fails_the_run(server, tmp_path, workers):
    distributed = ["--workers", "2", "--master-port", str(free_port())] if workers else []
    done = bwperf(str(FIXTURES / "data_unique_fail.yaml"), "--target", server.url, "--out", str(tmp_path), *distributed)
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "data rows: ran out of rows" in done.stderr and "onExhausted: fail" in done.stderr
    assert sum(uses(server).values()) == ROWS


def test_a_bad_row_stops_the_run_before_it_starts(server, tmp_path):
    done = bwperf(str(FIXTURES / "data_bad.yaml"), "--target", server.url, "--out", str(tmp_path))
    assert done.returncode == EXIT_INPUT
    assert "data_bad_rows.csv: line 3: has 3 field(s), but the header has 2" in done.stderr
    assert uses(server) == {}


def test_random_draws_repeat_by_seed_and_sequential_cycles(server, tmp_path):
    runs = []
    for attempt in range(2):
        before = uses(server)
        done = bwperf(str(FIXTURES / "data_modes.yaml"), "--target", server.url, "--out", str(tmp_path / str(attempt)))
        assert done.returncode == EXIT_OK, done.stderr
        runs.append({row: n - before.get(row, 0) for row, n in uses(server).items() if n - before.get(row, 0)})
    picks = [{row: n for row, n in run.items() if row.startswith("p")} for run in runs]
    assert picks[0] == picks[1] and sum(picks[0].values()) == 30 and len(picks[0]) > 10
    assert {row: n for row, n in runs[0].items() if row.startswith("c")} == {"c0": 3, "c1": 2, "c2": 2}
