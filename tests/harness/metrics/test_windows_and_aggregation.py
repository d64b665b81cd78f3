from harness.metrics.aggregate import Aggregator
from harness.metrics.failures import FailureClass
from harness.metrics.names import MetricKind
from harness.metrics.recorder import Recorder
from harness.metrics.window import Window


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def recorder_with_traffic(clock, *, scenario="browse", durations=(5.0, 7.0, 9.0), fail=None):
    recorder = Recorder(run_start_s=100.0, window_s=1.0, clock=clock)
    for offset, duration in enumerate(durations):
        clock.now = 100.0 + offset * 0.6  # windows 0, 0, 1
        recorder.record_iteration_start(scenario=scenario, lag_ms=1.0 + offset)
        recorder.record_request(scenario=scenario, method="GET", name="/api/v1/problems?limit=20", duration_ms=duration,
                                failure=fail)
        recorder.record_iteration_end(scenario=scenario, duration_ms=duration + 1, error=False)
        recorder.record_custom(scenario=scenario, metric="errors", kind=MetricKind.RATE, value=0.0)
    recorder.record_drop(scenario=scenario)
    recorder.record_check(scenario=scenario, name="status is 200", ok=True)
    return recorder


def test_windows_close_by_completion_time_and_carry_gauges():
    clock = Clock()
    recorder = recorder_with_traffic(clock)
    clock.now = 101.5
    closed, through = recorder.take_closed(now_s=clock.now, gauges={"browse": (2, 5)})
    assert through == 0 and [w.index for w in closed] == [0]
    assert closed[0].requests[("browse", "GET", "/api/v1/problems")].duration.count == 2  # query stripped
    assert closed[0].scenarios["browse"].active_vus == 2 and closed[0].scenarios["browse"].allocated_vus == 5
    rest, through = recorder.take_all(gauges={})
    assert [w.index for w in rest] == [1] and through == 1


def test_two_producers_merge_exactly_and_finalize_when_both_closed():
    clock_a, clock_b = Clock(), Clock()
    a = recorder_with_traffic(clock_a, durations=(5.0, 7.0, 9.0))
    b = recorder_with_traffic(clock_b, durations=(50.0, 70.0, 90.0), fail=FailureClass.RATE_LIMITED_429)
    aggregator = Aggregator(window_s=1.0, producers=2)
    wa, ta = a.take_all(gauges={"browse": (1, 3)})
    assert aggregator.add([Window.from_wire(w.to_wire()) for w in wa], producer="a", closed_through=ta) == []
    wb, tb = b.take_all(gauges={"browse": (2, 4)})
    points = aggregator.add([Window.from_wire(w.to_wire()) for w in wb], producer="b", closed_through=tb)
    assert [(p.index, p.requests) for p in points] == [(0, 4), (1, 2)]
    assert points[0].failures == {"429": 2} and points[1].allocated_vus == 7
    assert points[0].p50_ms == 7.0 or abs(points[0].p50_ms - 7.0) < 0.01
    duration = aggregator.request_duration()
    assert duration.count == 6 and duration.max_ms == 90.0 and duration.min_ms == 5.0
    assert aggregator.observe("http_req_failed", (), "rate") == 0.5
    assert aggregator.observe("http_reqs", (), "count") == 6
    assert aggregator.observe("dropped_iterations", (("scenario", "browse"),), "count") == 2
    assert aggregator.observe("iteration_lag", (), "max") == 3.0
    assert aggregator.observe("errors", (), "rate") == 0.0
    assert aggregator.observe("checks", (), "rate") == 1.0
    assert aggregator.observe("http_req_duration", (("scenario", "other"),), "p(95)") is None
    assert aggregator.observe("no_such_metric", (), "rate") is None
    assert aggregator.vus_max == {"browse": 7}


def test_request_names_are_bounded():
    clock = Clock()
    recorder = Recorder(run_start_s=100.0, window_s=1.0, clock=clock)
    for n in range(250):
        recorder.record_request(scenario="s", method="GET", name=f"/item/{n}", duration_ms=1.0, failure=None)
    windows, _ = recorder.take_all(gauges={})
    names = {key[2] for key in windows[0].requests}
    assert len(names) == 201 and "(other)" in names


def test_failed_checks_count_as_their_own_failure_class():
    clock = Clock()
    recorder = Recorder(run_start_s=100.0, window_s=1.0, clock=clock)
    recorder.record_request(scenario="s", method="GET", name="/x", duration_ms=1.0, failure=None)
    recorder.record_check(scenario="s", name="has data", ok=False)
    recorder.record_check(scenario="s", name="has data", ok=True)
    aggregator = Aggregator(window_s=1.0, producers=1)
    windows, through = recorder.take_all(gauges={})
    points = aggregator.add(windows, producer="p", closed_through=through)
    assert points[0].failures == {"check": 1}
    assert aggregator.scenario_failures("s") == {"check": 1}
    assert aggregator.observe("http_req_failed", (), "rate") == 0.0  # a failed check is not a failed request
    assert aggregator.observe("checks", (), "rate") == 0.5
