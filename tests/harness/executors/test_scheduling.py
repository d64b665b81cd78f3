import itertools

import pytest

from harness.executors.base import LOCAL, Stage, WorkerSlice
from harness.executors.constant_arrival_rate import ConstantArrivalRateConfig
from harness.executors.base import CommonOptions
from harness.executors.scheduling import (
    ArrivalDispatcher,
    RateSegment,
    arrival_offsets_s,
    constant_profile,
    owned_offsets_s,
    ramping_profile,
)

from .fakes import FakeHost


def test_constant_rate_offsets_are_absolute_and_start_at_zero():
    offsets = list(arrival_offsets_s(constant_profile(rate_per_s=4, duration_s=1.0), first_at_zero=True))
    assert offsets == [0.0, 0.25, 0.5, 0.75]


def test_constant_rate_counts_exactly_over_long_runs():
    offsets = list(arrival_offsets_s(constant_profile(rate_per_s=50, duration_s=300), first_at_zero=True))
    assert len(offsets) == 15000
    assert offsets[-1] == pytest.approx(299.98)
    assert offsets[7777] == pytest.approx(7777 / 50)  # no drift: offset n is n / rate


def test_ramping_offsets_follow_the_area_under_the_rate_curve():
    # k6's own example: 2/s for 5 s, then a linear ramp to 3/s over 5 s (area 12.5 in the ramp)
    segments = ramping_profile(start_rate_per_s=2, stages=(Stage(5, 2), Stage(5, 3)), time_unit_s=1)
    offsets = list(arrival_offsets_s(segments, first_at_zero=False))
    assert offsets[:10] == pytest.approx([0.5 * n for n in range(1, 11)])
    assert len(offsets) == 22  # 10 + 12.5 -> 22 whole iterations
    # iteration 11 starts when 2t + t^2/10 = 1 inside the ramp
    t = (-2 + (4 + 4 * 0.1) ** 0.5) / (2 * 0.1)
    assert offsets[10] == pytest.approx(5 + t)


def test_ramping_from_zero_and_down_to_zero():
    segments = ramping_profile(start_rate_per_s=0, stages=(Stage(10, 10), Stage(10, 0)), time_unit_s=1)
    offsets = list(arrival_offsets_s(segments, first_at_zero=False))
    assert len(offsets) == 100  # area 50 + 50
    assert offsets[0] == pytest.approx((2 / 1) ** 0.5)  # t^2 / 2 = 1
    assert offsets == sorted(offsets) and offsets[-1] == pytest.approx(20.0)


def test_time_unit_scales_rates():
    segments = ramping_profile(start_rate_per_s=60 / 60, stages=(Stage(60, 60),), time_unit_s=60)
    assert segments == (RateSegment(60, 1.0, 1.0),)


def test_worker_slices_partition_the_schedule():
    segments = constant_profile(rate_per_s=30, duration_s=2)
    whole = list(enumerate(arrival_offsets_s(segments, first_at_zero=True)))
    parts = [list(owned_offsets_s(segments, first_at_zero=True, worker=WorkerSlice(k, 3), capacity_vus=10)) for k in range(3)]
    assert sorted(itertools.chain(*parts)) == whole
    assert [len(p) for p in parts] == [20, 20, 20]
    assert all(index % 3 == k for k, part in enumerate(parts) for index, _ in part)


def test_a_scenario_with_fewer_vus_than_workers_uses_fewer_workers():
    segments = constant_profile(rate_per_s=10, duration_s=1)
    counts = [len(list(owned_offsets_s(segments, first_at_zero=True, worker=WorkerSlice(k, 3), capacity_vus=2))) for k in range(3)]
    assert counts == [5, 5, 0]


def dispatch(*, rate, duration_s, service_s, pre, max_vus, worker=LOCAL, start_s=0.0):
    host = FakeHost(service_s=service_s)
    host.clock.now = start_s
    for _ in range(worker.share(pre, capacity_vus=max_vus)):
        host.start_pooled_vu()
    schedule = owned_offsets_s(constant_profile(rate_per_s=rate, duration_s=duration_s), first_at_zero=True,
                               worker=worker, capacity_vus=max_vus)
    dispatcher = ArrivalDispatcher(scenario="s", schedule=schedule,
                                   max_new_vus=worker.share(max_vus, capacity_vus=max_vus) - worker.share(pre, capacity_vus=max_vus),
                                   max_vus_total=max_vus)
    counts = dispatcher.run(host, start_s=start_s)
    return host, counts


def test_drops_when_no_vu_is_idle_exact_counts():
    # 10/s for 1 s, each iteration takes 0.25 s, two VUs and no more: every third start drops
    host, counts = dispatch(rate=10, duration_s=1.0, service_s=0.25, pre=2, max_vus=2)
    assert (counts.started, counts.dropped) == (7, 3)
    assert [round(t.scheduled_s, 3) for t in host.dropped] == [0.2, 0.5, 0.8]
    assert host.warnings == ["scenario s: insufficient VUs, reached 2 active VUs and cannot initialize more; "
                             "iterations are being dropped"]


def test_every_drop_grows_the_pool_until_max_vus():
    host, counts = dispatch(rate=10, duration_s=1.0, service_s=0.25, pre=2, max_vus=3)
    # the drop at 0.2 s adds the third VU; three VUs then keep up with 0.25 s iterations at 10/s
    assert (counts.started, counts.dropped, counts.vus_added) == (9, 1, 1)
    assert host.warnings == []


def test_a_fast_server_drops_nothing_and_sleeps_to_absolute_times():
    host, counts = dispatch(rate=100, duration_s=2.0, service_s=0.005, pre=1, max_vus=1, start_s=1000.0)
    assert (counts.started, counts.dropped) == (200, 0)
    assert host.clock.sleeps[:3] == pytest.approx([1000.01, 1000.02, 1000.03])
    assert [t.scheduled_s for t in host.handed[:3]] == pytest.approx([1000.0, 1000.01, 1000.02])


def test_two_workers_together_drop_what_one_drops():
    one, single = dispatch(rate=10, duration_s=1.0, service_s=0.45, pre=4, max_vus=4)
    halves = [dispatch(rate=10, duration_s=1.0, service_s=0.45, pre=4, max_vus=4, worker=WorkerSlice(k, 2))[1] for k in range(2)]
    assert single.started + single.dropped == 10
    assert sum(h.started for h in halves) + sum(h.dropped for h in halves) == 10
    assert (sum(h.started for h in halves), sum(h.dropped for h in halves)) == (single.started, single.dropped)


def test_stop_request_ends_dispatch():
    host = FakeHost(service_s=0.0)
    host.start_pooled_vu()
    host.stop_after = 5
    schedule = owned_offsets_s(constant_profile(rate_per_s=10, duration_s=10), first_at_zero=True, worker=LOCAL, capacity_vus=1)
    counts = ArrivalDispatcher(scenario="s", schedule=schedule, max_new_vus=0, max_vus_total=1).run(host, start_s=0.0)
    assert counts.started == 5


def test_runtime_applies_graceful_stop_after_the_duration():
    config = ConstantArrivalRateConfig(CommonOptions("s", "constant-arrival-rate", graceful_stop_s=7.0), 4, 1.0, 2.0, 1, 1)
    host = FakeHost(service_s=0.1)
    config.new_runtime(worker=LOCAL).run(host, start_s=10.0)
    assert len(host.handed) == 8 and host.dropped == []
    assert (host.finished_at, host.deadline) == (12.0, 19.0)
