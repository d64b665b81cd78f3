"""`saturation: queue` on the real gevent VU host (fake VUs that sleep), and its plan keys."""

import pytest

from harness.executors.constant_arrival_rate import ConstantArrivalRateConfig
from harness.executors.registry import executor_type
from harness.executors.saturation import DEFAULT_MAX_QUEUED, Saturation, SaturationPolicy
from harness.parsing.fields import Fields, Problems
from tests.harness.executors.test_runtimes_gevent import common, run


def _queued(max_queued: int = DEFAULT_MAX_QUEUED) -> SaturationPolicy:
    return SaturationPolicy(mode=Saturation.QUEUE, max_queued=max_queued)


def test_queued_iterations_start_late_and_are_timed_from_their_schedule():
    # 20/s for 0.5 s = 10 iterations, one VU busy 0.1 s each: every iteration runs, one after another.
    config = ConstantArrivalRateConfig(common("constant-arrival-rate", graceful_stop_s=5.0), rate=20, time_unit_s=1,
                                       duration_s=0.5, pre_allocated_vus=1, max_vus=1, saturation=_queued())
    log, scenario, elapsed, host = run(config, sleep_s=0.1)
    assert len(log) == 10 and scenario.dropped == 0 and scenario.iterations_completed == 10
    # The last one was scheduled at 0.45 s and ended at ~1.0 s: ~550 ms after its schedule.
    assert 500 <= scenario.scheduled.max_ms < 800 and scenario.scheduled.count == 10
    assert scenario.iteration_duration.max_ms < 200  # each iteration itself took 0.1 s
    assert scenario.lag.count == 1  # only the one that found its VU free has a start lag
    assert 0.95 <= elapsed < 2.0 and host.allocated == 0


def test_the_queue_is_bounded_and_what_overflows_is_dropped():
    config = ConstantArrivalRateConfig(common("constant-arrival-rate", graceful_stop_s=5.0), rate=40, time_unit_s=1,
                                       duration_s=0.25, pre_allocated_vus=1, max_vus=1, saturation=_queued(3))
    log, scenario, _, _ = run(config, sleep_s=0.3)
    assert len(log) == 4 and scenario.dropped == 6  # 10 scheduled: 1 runs, 3 wait, 6 overflow


def test_what_still_waits_when_graceful_stop_ends_is_dropped():
    config = ConstantArrivalRateConfig(common("constant-arrival-rate", graceful_stop_s=0.1), rate=40, time_unit_s=1,
                                       duration_s=0.25, pre_allocated_vus=1, max_vus=1, saturation=_queued())
    log, scenario, elapsed, host = run(config, sleep_s=0.2)
    assert len(log) + scenario.dropped == 10 and 1 <= len(log) <= 3
    assert elapsed < 2.0 and host.allocated == 0


def _parse(**keys):
    problems = Problems()
    raw = {"executor": "constant-arrival-rate", "rate": 10, "duration": "1s", "preAllocatedVUs": 1, **keys}
    config = executor_type("constant-arrival-rate").parse("s", Fields(raw, "scenarios.s", problems))
    return config, problems.items


def test_plan_keys_default_to_k6s_drop_and_are_checked():
    config, problems = _parse()
    assert problems == [] and config.saturation.mode is Saturation.DROP
    config, problems = _parse(saturation="queue", maxQueued=50)
    assert problems == [] and config.saturation == _queued(50)
    assert _parse(saturation="wait")[1] == ["scenarios.s.saturation must be one of drop, queue, but is 'wait'"]
    assert _parse(maxQueued=5)[1] == ["scenarios.s.maxQueued applies only with saturation: queue"]
    assert _parse(saturation="queue", maxQueued=10**7)[1] == ["scenarios.s.maxQueued must be <= 1e+06, but is 10000000"]


@pytest.mark.parametrize("executor", ["shared-iterations", "constant-vus"])
def test_closed_model_executors_do_not_know_saturation(executor):
    problems = Problems()
    raw = {"executor": executor, "vus": 1, "iterations": 1, "duration": "1s", "saturation": "queue"}
    executor_type(executor).parse("s", Fields(raw, "scenarios.s", problems))
    assert any("saturation" in p for p in problems.items)
