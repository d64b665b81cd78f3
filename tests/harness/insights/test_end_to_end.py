"""A real run: an arrival-rate scenario with too few VUs against a real local server (300 ms
answers) drops iterations, and the insight sizes the VUs from the measured iteration time."""

from __future__ import annotations

import math
import re
from pathlib import Path

from harness.errors import EXIT_OK
from harness.insights import find_insights
from tests.harness.engine.conftest import FIXTURES, bwperf, server  # noqa: F401 (the fixture)
from tests.harness.engine.test_run_end_to_end import only_result

RATE_PER_S = 20
MAX_VUS = 2
TITLE = re.compile(r"^starved: (\d+) dropped iterations: about (\d+) VUs needed at ([\d.]+)/s × ([\d.]+) s, "
                   r"maxVUs was (\d+)$")


def test_too_few_vus_give_the_dropped_iterations_insight(server, tmp_path: Path) -> None:  # noqa: F811
    plan = tmp_path / "starved.yaml"
    plan.write_text(
        f"behaviours: {FIXTURES / 'engine_behaviours.py'}\n"
        "scenarios:\n"
        "  starved:\n"
        "    executor: constant-arrival-rate\n"
        f"    rate: {RATE_PER_S}\n"
        "    duration: 3s\n"
        f"    preAllocatedVUs: {MAX_VUS}\n"
        f"    maxVUs: {MAX_VUS}\n"
        "    exec: slow\n"
        "sampling:\n"
        "  window: 1s\n",
        encoding="utf-8",
    )
    done = bwperf(str(plan), "--target", server.url, "--out", str(tmp_path / "out"))
    assert done.returncode == EXIT_OK, done.stderr
    result, _ = only_result(tmp_path / "out")
    stats = result.scenarios["starved"]
    assert stats.dropped_iterations > 0 and stats.iteration_duration is not None
    [insight] = [i for i in find_insights(result) if i.kind == "dropped_iterations"]
    match = TITLE.match(insight.title)
    assert match, insight.title
    dropped, needed, rate, mean_s, vus = match.groups()
    measured_s = stats.iteration_duration.avg / 1000.0
    assert measured_s >= 0.3  # every iteration waits 300 ms on the server
    assert int(dropped) == stats.dropped_iterations
    assert float(rate) == RATE_PER_S and int(vus) == stats.vus_max <= MAX_VUS
    assert abs(float(mean_s) - measured_s) < 0.01
    assert int(needed) == math.ceil(RATE_PER_S * measured_s) >= 6  # 20/s x >= 0.3 s
