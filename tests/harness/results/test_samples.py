"""The run-wide figures of `harness.results.samples`: Redis headroom (used_memory / maxmemory), the
load phase a run-wide rate divides by, and the histogram readers the report and dashboard share."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results.figures import load_phase_s, run_rate_per_s
from harness.results.model import PrometheusSample, RedisSample, RunResult, Samples
from harness.results.samples import (
    RedisHeadroom,
    bucket_increase,
    histogram_mean_over_time,
    histogram_quantile,
    redis_headroom,
)
from tests.harness.results.factory import make_result

MIB = 1024 * 1024


def test_redis_headroom_divides_peak_used_memory_not_rss_by_maxmemory() -> None:
    samples = Samples(interval_s=5.0, redis=[
        RedisSample(t_s=0.0, used_memory=1 * MIB, used_memory_rss=7 * MIB, maxmemory=256 * MIB),
        RedisSample(t_s=5.0, used_memory=2 * MIB, used_memory_rss=8 * MIB, maxmemory=256 * MIB),
        RedisSample(t_s=10.0, used_memory=None, used_memory_rss=9 * MIB, maxmemory=256 * MIB),
    ])
    headroom = redis_headroom(samples)
    assert headroom == RedisHeadroom(peak_used_bytes=2.0 * MIB, maxmemory_bytes=256 * MIB)
    assert headroom.used_share == pytest.approx(2 / 256)  # 0.8 %; RSS would read 3.5 %


def test_redis_headroom_without_a_limit_or_without_samples() -> None:
    unlimited = redis_headroom(Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory=10, maxmemory=0)]))
    assert unlimited == RedisHeadroom(peak_used_bytes=10.0, maxmemory_bytes=None) and unlimited.used_share is None
    assert redis_headroom(Samples(interval_s=5.0)) is None
    assert redis_headroom(Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory_rss=10)])) is None


def _timed(result: RunResult, *, duration_s: float, complete: bool = True) -> RunResult:
    return result.model_copy(update={"meta": result.meta.model_copy(update={"duration_s": duration_s}),
                                     "complete": complete})


def test_the_load_phase_is_the_schedule_not_the_drain(tmp_path: Path) -> None:
    result = make_result(tmp_path)  # one scenario, scheduled for 2 s
    count = result.metrics["iterations"].count
    assert load_phase_s(_timed(result, duration_s=2.4)) == load_phase_s(_timed(result, duration_s=3.9)) == 2.0
    assert run_rate_per_s(count, _timed(result, duration_s=3.9)) == count / 2.0
    assert load_phase_s(_timed(result, duration_s=1.5, complete=False)) == 1.5  # stopped early: the time it ran
    assert load_phase_s(result.model_copy(update={"scenarios": {}})) == result.meta.duration_s
    assert run_rate_per_s(None, result) is None
    assert run_rate_per_s(count, _timed(result, duration_s=0.0)) is None


def _scrape(t_s: float, values: dict[str, float]) -> PrometheusSample:
    return PrometheusSample(t_s=t_s, url="http://worker/metrics", values=values)


def test_histogram_mean_between_scrapes_survives_a_reset() -> None:
    points = [_scrape(t, {"h_sum": s, "h_count": c})
              for t, s, c in ((0.0, 0.0, 0.0), (1.0, 3.0, 4.0), (2.0, 3.0, 4.0), (3.0, 5.0, 6.0), (4.0, 1.0, 2.0))]
    line = histogram_mean_over_time(points, "h")
    assert (line.t_s, line.values) == ((1.0, 3.0, 4.0), (0.75, 1.0, 0.5))
    assert not histogram_mean_over_time(points, "missing")


def test_bucket_increase_is_every_observation_between_the_first_and_last_scrape() -> None:
    def buckets(t_s: float, fast: float, slow: float) -> PrometheusSample:
        return _scrape(t_s, {'d_bucket{le="0.1",tier="llm"}': fast, 'd_bucket{le="1.0",tier="llm"}': fast + slow,
                             'd_bucket{le="+Inf",tier="llm"}': fast + slow, 'd_bucket{le="0.1",tier="cache"}': 1.0,
                             'd_bucket{le="1.0",tier="cache"}': 1.0, 'd_bucket{le="+Inf",tier="cache"}': 1.0})
    grown = bucket_increase([buckets(0.0, 5.0, 0.0), buckets(5.0, 15.0, 10.0)], "d")
    assert grown == {0.1: 10.0, 1.0: 20.0, float("inf"): 20.0}
    assert bucket_increase([buckets(0.0, 5.0, 0.0), buckets(5.0, 15.0, 10.0)], "d", tier="cache") == {
        0.1: 0.0, 1.0: 0.0, float("inf"): 0.0}
    assert histogram_quantile(0.5, list(grown.items())) == pytest.approx(0.1)
