"""Each rule on a result that has its condition (the insight, with the figures) and on one that
nearly has it (nothing); the clean factory run gives no insight at all."""

from __future__ import annotations

import math

from harness.insights import find_insights
from harness.insights.errors import error_spikes
from harness.insights.guardrail import guardrail_behind
from harness.insights.load import dropped_iterations, throughput_limit
from harness.insights.machine import generator_saturated, host_busy
from harness.results.model import PrometheusSample, RunResult, Samples
from tests.dashboards.run_factory import build_health

from .conftest import SCENARIO, point, with_series

WORKER = "http://127.0.0.1:9101/metrics"


def test_a_clean_run_gives_no_insight(clean_run: RunResult) -> None:
    assert find_insights(clean_run) == []


# --- dropped iterations -----------------------------------------------------------------------

def _dropping(result: RunResult, *, dropped: int, vus_max: int, mean_ms: float) -> RunResult:
    stats = result.scenarios[SCENARIO]
    duration = stats.iteration_duration.model_copy(update={"avg": mean_ms})  # type: ignore[union-attr]
    scenario = stats.model_copy(update={"dropped_iterations": dropped, "vus_max": vus_max,
                                        "iteration_duration": duration})
    points = [point(5.0 * w, rate=40.0, p95=30.0, vus=vus_max, dropped=dropped // 4 if w >= 8 else 0)
              for w in range(12)]
    return with_series(result.model_copy(update={"scenarios": {**result.scenarios, SCENARIO: scenario}}),
                       SCENARIO, points)


def test_dropped_iterations_name_the_vus_littles_law_needs(clean_run: RunResult) -> None:
    result = _dropping(clean_run, dropped=120, vus_max=5, mean_ms=230.0)
    [insight] = dropped_iterations(result)
    needed = math.ceil(50 * 0.23)  # target 50/s x 0.23 s
    assert insight.title == (f"{SCENARIO}: 120 dropped iterations: about {needed} VUs needed at 50/s × 0.23 s, "
                             "maxVUs was 5")
    assert insight.severity == "critical"
    assert (insight.t_from_s, insight.t_to_s) == (40.0, 60.0)
    assert insight.evidence[0] == "4 windows with drops, 40-60 s"
    assert [i.kind for i in find_insights(result)] == ["dropped_iterations"]


def test_no_drop_no_dropped_insight(clean_run: RunResult) -> None:
    assert dropped_iterations(_dropping(clean_run, dropped=0, vus_max=5, mean_ms=230.0)) == []


# --- throughput limit -------------------------------------------------------------------------

def _ramp(result: RunResult, *, follows: bool) -> RunResult:
    """A ramp of 10/s steps: the rate follows up to 40/s, then (unless `follows`) stays flat while
    p95 climbs from 20 ms to 200 ms and busy VUs grow."""
    points = []
    for w in range(12):
        wanted = 10.0 * (w + 1)
        rate = wanted if follows or w < 4 else 40.0 + (w % 2) * 0.5
        p95 = 20.0 if w < 4 else 20.0 + 25.0 * (w - 3)
        vus = 2 if w < 4 else 2 + 2 * (w - 3)
        points.append(point(5.0 * w, rate=rate, p95=p95, vus=vus))
    return with_series(result, SCENARIO, points)


def test_rate_flat_while_latency_and_vus_climb_is_a_throughput_limit(clean_run: RunResult) -> None:
    [insight] = throughput_limit(_ramp(clean_run, follows=False))
    assert insight.kind == "throughput_limit" and insight.scenario == SCENARIO
    # the knee: p95 first at 2x the early 20 ms is window 4 (45 ms) at t=20 s
    assert insight.title == (f"{SCENARIO}: throughput limit at about 40 iterations/s: from 20 s the rate stayed "
                             "flat while busy VUs went 4 → 18 and p95 climbed 20 → 220 ms (11.0×)")
    assert (insight.t_from_s, insight.t_to_s) == (20.0, 60.0)


def test_latency_climbing_while_the_rate_follows_is_no_limit(clean_run: RunResult) -> None:
    assert throughput_limit(_ramp(clean_run, follows=True)) == []


# --- error spike ------------------------------------------------------------------------------

def _spiking(result: RunResult, *, failed: int) -> RunResult:
    points = [point(5.0 * w, rate=40.0, p95=30.0, vus=3,
                    failures={"5xx": failed, "connection": 4} if w in (6, 7) else {}) for w in range(12)]
    return with_series(result, SCENARIO, points)


def test_windows_far_above_the_typical_failure_rate_are_an_error_spike(clean_run: RunResult) -> None:
    result = _spiking(clean_run, failed=150)
    [insight] = error_spikes(result)
    # windows 30 and 35 s: each 154 failures; every scenario's requests of those windows count
    requests = {t: sum(p.requests for p in result.time_series if p.t_s == t) for t in (30.0, 35.0)}
    total = sum(requests.values())
    assert insight.title.startswith(f"Error spike at 30-40 s: {100 * 308 / total:.0f} % of {total} requests failed "
                                    "(5xx 30")  # 300 planted + the factory's own 5xx
    assert "connection 8" in insight.title
    assert insight.evidence[0].startswith("window 30 s: ")
    assert (insight.t_from_s, insight.t_to_s) == (30.0, 40.0)


def test_a_few_failures_are_no_spike(clean_run: RunResult) -> None:
    assert error_spikes(_spiking(clean_run, failed=2)) == []


# --- generator and host -----------------------------------------------------------------------

def test_a_saturated_generator_says_why(clean_run: RunResult) -> None:
    generator = clean_run.generator.model_copy(update={"saturated": True,
                                                       "reasons": ["CPU 97 % on the local process"]})
    [insight] = generator_saturated(clean_run.model_copy(update={"generator": generator}))
    assert insight.title == "Load generator saturated: CPU 97 % on the local process"
    assert insight.evidence[0] == "local CPU 31 % avg, 55 % max"
    assert generator_saturated(clean_run) == []


def test_a_busy_host_names_the_pressure_and_the_windows(clean_run: RunResult) -> None:
    busy = build_health(duration_s=60.0, window_s=5.0, busy_windows=(3, 4))
    [insight] = host_busy(clean_run.model_copy(update={"health": busy}))
    assert insight.title.startswith("Host busy during the measurement: ")
    assert "CPU pressure" in insight.title
    assert (insight.t_from_s, insight.t_to_s) == (15.0, 25.0)
    assert insight.evidence[0].startswith("window 15-20 s: host CPU pressure 27 %")
    quiet = build_health(duration_s=60.0, window_s=5.0, busy_windows=())
    assert host_busy(clean_run.model_copy(update={"health": quiet})) == []


# --- guardrail --------------------------------------------------------------------------------

def _worker_samples(result: RunResult, *, queue: list[float], processed_per_s: float) -> RunResult:
    scrapes = [PrometheusSample(t_s=5.0 * i, url=WORKER, values={
        'guardrail_evaluations_total{outcome="approved",tier="llm"}': processed_per_s * 5.0 * i,
        "guardrail_waiting_jobs": q, "guardrail_queue_length": q + 2}) for i, q in enumerate(queue)]
    return result.model_copy(update={"samples": Samples(interval_s=5.0, prometheus=scrapes,
                                                        redis=result.samples.redis)})


def test_a_growing_queue_is_the_guardrail_falling_behind(clean_run: RunResult) -> None:
    queue = [0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180]  # +3 jobs/s over 60 s
    [insight] = guardrail_behind(_worker_samples(clean_run, queue=queue, processed_per_s=2.0))
    assert insight.title == ("Guardrail falling behind: jobs arrived at about 5/s but were processed at 2/s; "
                             "the queue grew from 0 to 180 jobs in 0-60 s")
    assert insight.evidence[0].startswith("guardrail_waiting_jobs and guardrail_evaluations_total from 13 scrapes")


def test_a_queue_that_drains_as_it_fills_is_not_behind(clean_run: RunResult) -> None:
    queue = [0, 8, 3, 9, 2, 7, 4, 8, 1, 6, 3, 9, 5]
    assert guardrail_behind(_worker_samples(clean_run, queue=queue, processed_per_s=2.0)) == []
