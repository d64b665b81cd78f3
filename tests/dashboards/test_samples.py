"""Series derived from a run's samples: Prometheus counters, histograms and gauges; the guardrail
summary; Redis memory, evictions and the eviction-policy check; latency budgets."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from dashboards.budgets import Budget, budget_label, budgets_for, latency_budgets
from dashboards.guardrail import EVALUATIONS, guardrail_summary
from harness.results.samples import (
    counter_rate,
    cumulative_increase,
    gauge,
    histogram_quantile,
    parse_series,
    quantile_over_time,
    total,
)
from dashboards.redis_memory import policy_can_evict, redis_summary, run_peak
from harness.results.model import (
    PrometheusSample,
    RedisSample,
    Samples,
    ThresholdResult,
)
from tests.dashboards.run_factory import (
    LLM_COST_PER_CALL_USD,
    WORKER_METRICS_URL,
    RunSpec,
    build_run,
)

URL = "http://worker/metrics"
START = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def scrape(t_s: float, **values: float) -> PrometheusSample:
    return PrometheusSample(t_s=t_s, url=URL, values={k.replace("__", "/"): v for k, v in values.items()})


def test_series_keys_are_parsed_as_the_sampler_writes_them() -> None:
    assert parse_series('guardrail_evaluations_total{outcome="approved",tier="llm"}') == (
        "guardrail_evaluations_total", {"outcome": "approved", "tier": "llm"})
    assert parse_series("guardrail_queue_length") == ("guardrail_queue_length", {})


def test_total_sums_matching_series_and_is_none_when_absent() -> None:
    values = {'c_total{tier="llm"}': 3.0, 'c_total{tier="cache"}': 4.0, "c_created": 99.0, "c_totally_else": 5.0}
    assert total(values, "c_total") == 7.0
    assert total(values, "c_total", tier="llm") == 3.0
    assert total(values, "missing") is None


def test_counter_rate_is_per_second_between_scrapes_and_survives_a_restart() -> None:
    points = [scrape(0, c=0), scrape(5, c=10), scrape(10, c=40), scrape(15, c=5)]  # restarted before t=15
    line = counter_rate(points, "c")
    assert line.t_s == (5, 10, 15)
    assert line.values == (2.0, 6.0, 1.0)
    assert cumulative_increase(points, "c").values == (0.0, 10.0, 40.0, 45.0)


def test_a_counter_that_appears_mid_run_grew_from_zero() -> None:
    points = [scrape(0, other=1), scrape(5, c=4), scrape(10, c=10)]
    assert cumulative_increase(points, "c").values == (0.0, 4.0, 10.0)
    assert counter_rate(points, "c").values == (0.8, 1.2)
    assert not counter_rate(points, "never_exported")


def test_gauge_skips_scrapes_without_the_series() -> None:
    line = gauge([scrape(0, q=1), scrape(5), scrape(10, q=4)], "q")
    assert (line.t_s, line.values) == ((0, 10), (1.0, 4.0))


def test_histogram_quantile_interpolates_within_the_bucket_as_prometheus_does() -> None:
    buckets = [(0.1, 10.0), (0.5, 60.0), (1.0, 90.0), (math.inf, 100.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1 + 0.4 * (50 - 10) / 50)
    assert histogram_quantile(0.95, buckets) == 1.0  # in +Inf: the highest finite bound
    assert histogram_quantile(0.5, [(0.1, 0.0), (math.inf, 0.0)]) is None


def test_quantile_over_time_uses_only_the_observations_between_scrapes() -> None:
    def buckets(t_s: float, fast: float, slow: float) -> PrometheusSample:
        values = {'h_bucket{le="0.1"}': fast, 'h_bucket{le="1.0"}': fast + slow, 'h_bucket{le="+Inf"}': fast + slow}
        return PrometheusSample(t_s=t_s, url=URL, values=values)

    line = quantile_over_time([buckets(0, 0, 0), buckets(5, 100, 0), buckets(10, 100, 100)], "h", 0.95)
    assert line.t_s == (5, 10)
    assert line.values[0] == pytest.approx(0.095)  # all fast: within the first bucket
    assert line.values[1] == pytest.approx(0.1 + 0.9 * 0.95)  # all of the second window slow


def test_the_guardrail_summary_matches_the_workers_counters() -> None:
    result = build_run(RunSpec(run_id="g", started_at=START, seed=7))
    summary = guardrail_summary(result.samples)
    assert summary is not None
    worker = [s for s in result.samples.prometheus if s.url == WORKER_METRICS_URL]
    counted = (total(worker[-1].values, EVALUATIONS) or 0) - (total(worker[0].values, EVALUATIONS) or 0)
    assert summary.evaluations == counted > 0
    assert [w.url for w in summary.workers] == [WORKER_METRICS_URL]
    assert summary.queue_source == WORKER_METRICS_URL  # the worker's, though the API exports it too
    assert list(summary.by_tier) == ["prefilter", "cache", "llm", "dead_letter"]  # the worker's order
    assert summary.by_tier["dead_letter"] == 0
    assert sum(summary.tier_shares.values()) == pytest.approx(1.0)
    assert summary.llm_calls == summary.by_tier["llm"]
    assert summary.llm_cost_usd == pytest.approx(summary.llm_calls * LLM_COST_PER_CALL_USD)
    assert summary.cache_hit_ratio == pytest.approx(summary.by_tier["cache"] / (summary.by_tier["cache"] + summary.by_tier["llm"]))
    assert summary.evaluation_p95_s is not None and 0.25 < summary.evaluation_p95_s < 2.0
    assert sum(v * 5.0 for v in summary.workers[0].evaluations_per_s.values) == pytest.approx(counted)


def test_no_guardrail_metrics_means_no_summary() -> None:
    result = build_run(RunSpec(run_id="n", started_at=START, seed=8, with_guardrail=False))
    assert guardrail_summary(result.samples) is None


@pytest.mark.parametrize(("policy", "evicts"), [
    ("noeviction", False), ("allkeys-lru", True), ("volatile-lru", True), ("allkeys-lfu", True), (None, False)])
def test_only_noeviction_keeps_queued_jobs(policy: str | None, evicts: bool) -> None:
    assert policy_can_evict(policy) is evicts


def test_redis_summary_peaks_limit_and_evictions_since_the_run_started() -> None:
    samples = Samples(interval_s=5.0, redis=[
        RedisSample(t_s=0, used_memory=100, used_memory_rss=150, maxmemory=1000, maxmemory_policy="noeviction",
                    evicted_keys=500),
        RedisSample(t_s=5, used_memory=300, used_memory_rss=250, maxmemory=1000, maxmemory_policy="allkeys-lru",
                    evicted_keys=520),
        RedisSample(t_s=10, used_memory=200, used_memory_rss=900, maxmemory=1000, maxmemory_policy="allkeys-lru",
                    evicted_keys=3),  # Redis restarted: counts from zero again
    ])
    summary = redis_summary(samples)
    assert summary is not None
    assert (summary.peak_used, summary.peak_rss, summary.maxmemory) == (300.0, 900.0, 1000)
    assert summary.evictions == (0.0, 20.0, 23.0)
    assert summary.policy == "allkeys-lru" and summary.evicting_policy
    assert summary.used_share == pytest.approx(0.3)  # peak used_memory / maxmemory: RSS (900) is not the figure


def test_maxmemory_zero_means_no_limit_and_no_samples_mean_no_summary() -> None:
    summary = redis_summary(Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory=10, maxmemory=0)]))
    assert summary is not None and summary.maxmemory is None and summary.used_share is None
    assert redis_summary(Samples(interval_s=5.0)) is None
    assert run_peak("k", "r", START, Samples(interval_s=5.0)) is None


def test_latency_budgets_come_from_the_plans_percentile_thresholds() -> None:
    thresholds = [
        ThresholdResult(metric="http_req_duration", expression="p(95) < 200", ok=True, observed=1.0, abort_on_fail=False),
        ThresholdResult(metric="http_req_duration", expression="med<50", ok=True, observed=1.0, abort_on_fail=False),
        ThresholdResult(metric="http_req_duration{scenario:search}", expression="p(95)<150", ok=True, observed=1.0,
                        abort_on_fail=False),
        ThresholdResult(metric="http_req_duration{name:/health}", expression="p(95)<10", ok=True, observed=1.0,
                        abort_on_fail=False),
        ThresholdResult(metric="http_req_duration", expression="avg<100", ok=True, observed=1.0, abort_on_fail=False),
        ThresholdResult(metric="http_req_duration", expression="p(99)>1", ok=True, observed=1.0, abort_on_fail=False),
        ThresholdResult(metric="http_req_failed", expression="rate<0.01", ok=True, observed=0.0, abort_on_fail=False),
        ThresholdResult(metric="guardrail_latency", expression="p(95)<2000", ok=True, observed=1.0, abort_on_fail=False),
    ]
    budgets = latency_budgets(thresholds)
    assert budgets == [
        Budget("http_req_duration", (), 95.0, 200.0, "p(95)<200"),
        Budget("http_req_duration", (), 50.0, 50.0, "med<50"),
        Budget("http_req_duration", (("scenario", "search"),), 95.0, 150.0, "p(95)<150"),
    ]
    assert [b.limit_ms for b in budgets_for(budgets, 95.0)] == [200.0, 150.0]
    assert budget_label(budgets[2]) == "budget p(95)<150 ms (search)"
    assert [b.limit_ms for b in latency_budgets(thresholds, metric="guardrail_latency")] == [2000.0]

