"""Schedule-true latency (issue 17): a target of known behaviour (20 ms of service; the 250th
request starts a 2 s stall of every request) driven at 50 iterations/s with maxVUs 5.

With `saturation: queue` the iterations that find no free VU wait and start late, and
`iteration_duration_scheduled` (scheduled start -> end) shows the stall as users arriving on the
schedule felt it while `http_req_duration` stays near 20 ms. With `saturation: drop` (k6's way)
those iterations are dropped and counted apart. Both are checked against the arithmetic of the
same schedule, served by 5 VUs first come first served (`expected_schedule`)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboards.app import render_page
from dashboards.context import DashboardData
from harness.compare import from_result
from harness.errors import EXIT_OK, EXIT_THRESHOLDS_FAILED
from harness.metrics.hdr import decode
from harness.results import load_result, schedule_gaps
from tests.dashboards import dash_tree

from .conftest import FIXTURES, bwperf

# Run alone, after the parallel part of `make test` (latencies checked against the arithmetic of a 20 ms service).
pytestmark = pytest.mark.serial

RATE_PER_S = 50.0
DURATION_S = 16.0
VUS = 5
SERVICE_S = 0.020
STALL_AFTER = 250  # the 250th request (index 249, scheduled at 4.98 s) starts the stall
STALL_S = 2.0


@dataclass(frozen=True)
class Expected:
    scheduled_ms: list[float]  # per started iteration: scheduled start -> end
    dropped: int


def expected_schedule(*, queue: bool, service_s: float = SERVICE_S) -> Expected:
    """The schedule served by VUS VUs, oldest waiting iteration first, with the server's stall;
    each iteration holds its VU `service_s` (the nominal 20 ms, or the run's measured median: on a
    slow host the drain after the stall is slower, and more arrivals wait past a second)."""
    free_at = [0.0] * VUS
    stall_until = None
    seen = 0
    scheduled_ms, dropped = [], 0
    for index in range(int(RATE_PER_S * DURATION_S)):
        arrival = index / RATE_PER_S
        vu = min(range(VUS), key=free_at.__getitem__)
        if free_at[vu] > arrival and not queue:
            dropped += 1
            continue
        start = max(arrival, free_at[vu])
        seen += 1
        if seen == STALL_AFTER:
            stall_until = start + STALL_S
        held = max(0.0, stall_until - start) if stall_until is not None else 0.0
        free_at[vu] = start + held + service_s
        scheduled_ms.append((free_at[vu] - arrival) * 1000.0)
    return Expected(scheduled_ms=scheduled_ms, dropped=dropped)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _run(tmp_path: Path, server, mode: str, *, exit_code: int = EXIT_OK):
    done = bwperf(str(FIXTURES / f"engine_stall_{mode}.yaml"), "--target", server.url, "--out", str(tmp_path),
                  timeout_s=120)
    assert done.returncode == exit_code, done.stderr
    (path,) = tmp_path.glob("*/result.json")
    return load_result(path)


def test_queue_times_the_stall_from_the_schedule(server, tmp_path):
    result = _run(tmp_path, server, "queue", exit_code=EXIT_THRESHOLDS_FAILED)
    stalled = result.scenarios["stalled"]
    assert stalled.iteration_duration is not None and stalled.iteration_duration.med < 50.0
    expected = expected_schedule(queue=True, service_s=stalled.iteration_duration.med / 1000.0)
    scheduled = stalled.iteration_duration_scheduled
    assert scheduled is not None and stalled.dropped_iterations == 0
    assert stalled.iterations_completed == scheduled.count == len(expected.scheduled_ms) == 800
    # The arithmetic: ~95 arrivals queue behind 5 VUs held 2 s, then drain at 5 per 20 ms.
    model_p99 = _percentile(expected.scheduled_ms, 0.99)
    assert model_p99 > 1000.0
    assert scheduled.p99 == pytest.approx(model_p99, rel=0.15)
    over_1s = sum(1 for ms in expected.scheduled_ms if ms > 1000.0)
    measured_over_1s = sum(item.count_at_value_iterated_to for item in decode(scheduled.hdr).get_recorded_iterator()
                           if item.value_iterated_to > 1_000_000)  # microseconds
    assert over_1s == pytest.approx(measured_over_1s, abs=max(6, 0.15 * over_1s))
    # The server's side barely moved: only the 5 requests caught in the stall took ~2 s (the p99 is
    # ~25 ms on a quiet machine; the bound leaves room for a busy one).
    service = result.metrics["http_req_duration"].trend
    assert service is not None and service.med < 50.0 and service.p99 < 300.0 and service.p99 < scheduled.p99 / 5
    assert result.metrics["iteration_duration_scheduled"].trend.p99 == scheduled.p99
    # Thresholds read it like any trend (k6 syntax, tag filter): the schedule's p99 fails, the service's passes.
    verdicts = {t.metric: (t.ok, t.observed) for t in result.thresholds}
    assert verdicts == {"http_req_duration": (True, service.p99),
                        "iteration_duration_scheduled{scenario:stalled}": (False, scheduled.p99)}
    # compare reads it per queued scenario, beside the requests' latency.
    compared = from_result(result, source="result.json").metrics
    assert compared["stalled/iteration_duration_scheduled/latency_p99_ms"].value == scheduled.p99
    # Every view names the gap between service time and schedule-true time (one function says when).
    (gap,) = schedule_gaps(result)
    assert (gap.scenario, gap.scheduled_p99_ms, gap.saturation) == ("stalled", scheduled.p99, "queue")
    (run_dir,) = (path.parent for path in tmp_path.glob("*/result.json"))
    assert gap.text in (run_dir / "summary.md").read_text()
    assert html.escape(gap.text) in (run_dir / "report.html").read_text()
    overview, _ = render_page(DashboardData(tmp_path, tmp_path / "baselines"), "/")
    assert gap.text in dash_tree.text(overview)


def test_drop_counts_the_stall_apart(server, tmp_path):
    expected = expected_schedule(queue=False)
    result = _run(tmp_path, server, "drop")
    stalled = result.scenarios["stalled"]
    assert expected.dropped == pytest.approx(STALL_S * RATE_PER_S, abs=10)
    assert stalled.dropped_iterations == pytest.approx(expected.dropped, abs=6)
    assert stalled.iterations_started + stalled.dropped_iterations == 800
    # What did start was timed from its schedule too: the stall's 5 held requests at most ~2 s.
    scheduled = stalled.iteration_duration_scheduled
    assert scheduled is not None and scheduled.count == stalled.iterations_completed
    assert scheduled.max < STALL_S * 1000.0 + 300.0 and scheduled.p99 < 300.0  # ~25 ms when quiet
