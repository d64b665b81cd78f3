"""The executors' runtimes on the real gevent VU host, with fake VUs that sleep (no HTTP).
Short, real-time runs: counts are exact, timings are not asserted."""

import time

import gevent
import pytest
from gevent.event import Event

from harness.engine.vu_host import GeventVuHost
from harness.executors.base import CommonOptions, Stage, WorkerSlice
from harness.executors.constant_arrival_rate import ConstantArrivalRateConfig
from harness.executors.constant_vus import ConstantVusConfig
from harness.executors.per_vu_iterations import PerVuIterationsConfig
from harness.executors.ramping_arrival_rate import RampingArrivalRateConfig
from harness.executors.shared_iterations import SharedIterationsConfig
from harness.metrics.recorder import Recorder


class SleepyVu:
    def __init__(self, log, vu_index, sleep_s):
        self.log, self.vu_index, self.sleep_s = log, vu_index, sleep_s

    def run_iteration(self):
        self.log.append(self.vu_index)
        gevent.sleep(self.sleep_s)


def run(config, *, sleep_s=0.001, worker=WorkerSlice(), stop_after_s=None):
    log: list[int] = []
    stop = Event()
    recorder = Recorder(run_start_s=time.monotonic(), window_s=10.0, clock=time.monotonic)
    counter = iter(range(10_000))
    host = GeventVuHost(scenario="s", make_vu=lambda i: SleepyVu(log, next(counter), sleep_s), recorder=recorder,
                        stop_event=stop, warn=lambda m: None)
    if stop_after_s is not None:
        gevent.spawn_later(stop_after_s, stop.set)
    started = time.monotonic()
    config.new_runtime(worker=worker).run(host, start_s=time.monotonic())
    windows, _ = recorder.take_all(gauges={})
    scenario = windows[0].scenarios["s"] if windows and "s" in windows[0].scenarios else None
    return log, scenario, time.monotonic() - started, host


def common(executor, **kw):
    return CommonOptions("s", executor, **kw)


def test_shared_iterations_runs_exactly_the_total():
    log, scenario, _, _ = run(SharedIterationsConfig(common("shared-iterations"), vus=4, iterations=37, max_duration_s=5))
    assert len(log) == 37 and scenario.iterations_completed == 37
    assert len(set(log)) == 4


def test_shared_iterations_split_over_workers_adds_up():
    totals = [len(run(SharedIterationsConfig(common("shared-iterations"), vus=3, iterations=10, max_duration_s=5),
                      worker=WorkerSlice(k, 2))[0]) for k in range(2)]
    assert totals == [5, 5]


def test_per_vu_iterations_runs_iterations_per_vu():
    log, _, _, _ = run(PerVuIterationsConfig(common("per-vu-iterations"), vus=3, iterations=4, max_duration_s=5))
    assert sorted(log) == sorted([0, 1, 2] * 4)


def test_max_duration_bounds_iterations():
    log, _, elapsed, _ = run(PerVuIterationsConfig(common("per-vu-iterations", graceful_stop_s=0.5), vus=1,
                                                   iterations=1000, max_duration_s=0.3), sleep_s=0.05)
    assert 3 <= len(log) <= 8 and elapsed < 1.5


def test_constant_vus_loop_until_the_duration():
    log, _, elapsed, _ = run(ConstantVusConfig(common("constant-vus"), vus=2, duration_s=0.3), sleep_s=0.02)
    assert set(log) == {0, 1} and 0.3 <= elapsed < 1.0


def test_constant_arrival_rate_starts_the_schedule_and_records_lag():
    config = ConstantArrivalRateConfig(common("constant-arrival-rate"), rate=50, time_unit_s=1, duration_s=0.4,
                                       pre_allocated_vus=2, max_vus=5)
    log, scenario, _, _ = run(config)
    assert len(log) == 20 and scenario.dropped == 0
    assert scenario.lag.count == 20 and scenario.lag.max_ms < 50


def test_slow_iterations_grow_vus_then_drop():
    config = ConstantArrivalRateConfig(common("constant-arrival-rate", graceful_stop_s=1.0), rate=100, time_unit_s=1,
                                       duration_s=0.3, pre_allocated_vus=1, max_vus=3)
    log, scenario, _, host = run(config, sleep_s=0.5)
    assert len(set(log)) == 3  # grew from 1 to maxVUs
    assert len(log) == 3 and scenario.dropped == 27
    assert len(log) + scenario.dropped == 30


def test_ramping_arrival_rate_runs_the_whole_profile():
    config = RampingArrivalRateConfig(common("ramping-arrival-rate"), start_rate=0, time_unit_s=1,
                                      stages=(Stage(0.5, 40), Stage(0.5, 0)), pre_allocated_vus=3, max_vus=5)
    log, scenario, _, _ = run(config)
    assert len(log) == 20 and scenario.dropped == 0


def test_stop_ends_a_long_scenario_quickly():
    config = ConstantVusConfig(common("constant-vus"), vus=2, duration_s=60)
    _, _, elapsed, _ = run(config, sleep_s=0.01, stop_after_s=0.2)
    assert elapsed < 2.0


def test_graceful_stop_interrupts_iterations_that_run_too_long():
    config = ConstantVusConfig(common("constant-vus", graceful_stop_s=0.2), vus=1, duration_s=0.1)
    log, scenario, elapsed, host = run(config, sleep_s=30)
    assert len(log) == 1 and scenario.iterations_completed == 0
    assert elapsed < 2.0 and host.allocated == 0


@pytest.mark.parametrize("workers", [2, 3])
def test_arrival_rate_split_over_workers_adds_up(workers):
    config = ConstantArrivalRateConfig(common("constant-arrival-rate"), rate=60, time_unit_s=1, duration_s=0.25,
                                       pre_allocated_vus=4, max_vus=4)
    counts = [len(run(config, worker=WorkerSlice(k, workers))[0]) for k in range(workers)]
    assert sum(counts) == 15
