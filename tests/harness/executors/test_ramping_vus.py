import pytest

from harness.executors.base import CommonOptions, Stage, WorkerSlice
from harness.executors.ramping_vus import RampingVusConfig, vu_steps

from .fakes import FakeHost


def test_vu_count_changes_where_the_line_crosses_whole_numbers():
    steps = vu_steps(0, (Stage(10, 5), Stage(5, 5), Stage(4, 1)))
    assert steps == [(0.0, 0), (2.0, 1), (4.0, 2), (6.0, 3), (8.0, 4), (10.0, 5),
                     (16.0, 4), (17.0, 3), (18.0, 2), (19.0, 1)]


def test_zero_length_stage_jumps():
    assert vu_steps(1, (Stage(0, 4), Stage(1, 4))) == [(0.0, 1), (0.0, 4)]


def test_runtime_starts_and_stops_the_owned_vus():
    config = RampingVusConfig(CommonOptions("r", "ramping-vus"), 1, (Stage(3, 4), Stage(2, 0)), 1.0)
    host = FakeHost(service_s=0)
    config.new_runtime(worker=WorkerSlice(0, 1)).run(host, start_s=0.0)
    assert host.looping == [0, 1, 2, 3]
    assert host.stopped_looping == [3, 2, 1, 0]
    assert host.deadline == pytest.approx(5.0 + 30.0)
    half = FakeHost(service_s=0)
    config.new_runtime(worker=WorkerSlice(1, 2)).run(half, start_s=0.0)
    assert half.looping == [1, 3] and half.stopped_looping == [3, 1]
