"""Series out of a result: windows, samples, counters (pure functions)."""

from __future__ import annotations

import pytest

from harness.report.series import (
    failure_classes,
    failures_over_time,
    percentile_curve,
    redis_memory,
    scenario_series,
    scrapes_of,
)
from harness.results.model import PrometheusSample, RunResult, SeriesPointModel
from harness.results.samples import gauge


def _point(scenario: str, t_s: float, **kw: object) -> SeriesPointModel:
    values: dict[str, object] = {"requests": 10, "failures": {}, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0,
                                 "iterations_per_s": 10.0, "dropped": 0, "active_vus": 1, "allocated_vus": 2}
    values.update(kw)
    return SeriesPointModel(t_s=t_s, scenario=scenario, **values)


def test_scenario_windows_sit_at_their_middle_and_stop_at_the_scenario_end(baseline_result: RunResult) -> None:
    window = baseline_result.meta.window_s
    series = scenario_series(baseline_result)
    assert list(series) == list(baseline_result.scenarios)
    burst = baseline_result.scenarios["agent_registration_burst"]
    s = series["agent_registration_burst"]
    assert s.t_s and all(t - window / 2 < burst.start_time_s + burst.duration_s for t in s.t_s)
    assert s.t_s == sorted(s.t_s) and s.t_s[0] == pytest.approx(window / 2)
    # the windows hold every iteration the scenario started
    assert sum(v * window for v in s.iterations_per_s) == pytest.approx(burst.iterations_started)


def test_failures_over_time_sum_scenarios_by_class(baseline_result: RunResult) -> None:
    points = [_point("a", 0.0, failures={"5xx": 2, "429": 1}), _point("b", 0.0, failures={"5xx": 3}),
              _point("a", 1.0, failures={"check": 4})]
    result = baseline_result.model_copy(update={"time_series": points})
    times, by_class = failures_over_time(result)
    assert times == [0.5, 1.5]
    assert by_class == {"429": [1, 0], "5xx": [5, 0], "check": [0, 4]}


def test_failure_classes_are_in_the_engines_order_then_the_rest() -> None:
    assert failure_classes(["check", "teapot", "5xx", "4xx"]) == ["4xx", "5xx", "check", "teapot"]


def test_a_prometheus_series_is_read_from_one_url(baseline_result: RunResult) -> None:
    samples = [
        PrometheusSample(t_s=0.0, url="http://api/metrics", values={'q{a="1"}': 1.0, 'q{a="2"}': 2.0}),
        PrometheusSample(t_s=0.1, url="http://worker/metrics", values={"q": 50.0}),
        PrometheusSample(t_s=1.0, url="http://api/metrics", values={'q{a="1"}': 4.0, "other": 9.0}),
    ]
    result = baseline_result.model_copy(update={"samples": baseline_result.samples.model_copy(update={"prometheus": samples})})
    assert [p.url for p in scrapes_of(result, "q")] == ["http://api/metrics"] * 2
    line = gauge(scrapes_of(result, "q"), "q")
    assert (line.t_s, line.values) == ((0.0, 1.0), (3.0, 4.0))
    assert scrapes_of(result, "missing") == []


def test_the_guardrail_percentile_curve_is_the_trends_clamped_values(baseline_result: RunResult) -> None:
    trend = baseline_result.metrics["guardrail_latency"].trend
    percentiles, values = percentile_curve(trend)
    curve = dict(zip(percentiles, values, strict=True))
    assert curve[95.0] == pytest.approx(trend.p95, rel=1e-3)
    assert curve[0.0] == trend.min and curve[100.0] == trend.max  # clamped to the exact extremes
    assert values == sorted(values)


def test_redis_memory_series(baseline_result: RunResult) -> None:
    memory = redis_memory(baseline_result)
    assert len(memory["used_memory"]) == len(baseline_result.samples.redis) > 0
    assert all(v > 0 for _, v in memory["maxmemory"])
