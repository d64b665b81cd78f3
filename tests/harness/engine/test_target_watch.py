"""The dead-target rule, exactly: only windows where every request failed to connect count,
for at least the plan's target.stopWhenUnreachableFor in a row (0: never); one answered request resets it; empty windows are neutral."""

from harness.engine.target_watch import TargetWatch
from harness.metrics.aggregate import SeriesPoint


def point(index: int, *, requests: int, refused: int, scenario: str = "a", window_s: float = 0.5) -> SeriesPoint:
    return SeriesPoint(index=index, t_s=index * window_s, scenario=scenario, requests=requests,
                       failures={"connection": refused} if refused else {}, p50_ms=None, p95_ms=None,
                       p99_ms=None, iterations=requests, iterations_per_s=0.0, dropped=0, active_vus=1,
                       allocated_vus=1)


def test_three_seconds_of_refusals_mark_the_target_down() -> None:
    watch = TargetWatch(window_s=0.5, down_after_s=3.0)
    assert watch.observe([point(0, requests=10, refused=0)]) is None
    assert watch.observe([point(i, requests=10, refused=10) for i in range(1, 6)]) is None  # 2.5 s
    reason = watch.observe([point(6, requests=10, refused=10)])
    assert reason is not None and "since t=0.5 s" in reason and "3.0 s" in reason


def test_one_answer_or_another_scenario_answering_resets_it() -> None:
    watch = TargetWatch(window_s=0.5, down_after_s=1.0)
    assert watch.observe([point(0, requests=5, refused=5), point(1, requests=5, refused=4)]) is None
    assert watch.observe([point(2, requests=5, refused=5), point(2, requests=3, refused=0, scenario="b")]) is None
    assert watch.observe([point(3, requests=5, refused=5)]) is None
    assert watch.observe([point(4, requests=0, refused=0)]) is None  # nothing asked: neutral
    assert watch.observe([point(5, requests=2, refused=2)]) is not None


def test_zero_never_stops_and_the_plan_default_outlasts_a_supervised_restart(tmp_path) -> None:
    watch = TargetWatch(window_s=0.5, down_after_s=0.0)
    assert all(watch.observe([point(i, requests=10, refused=10)]) is None for i in range(200))  # 100 s refused
    from harness.plan.load import load_plan

    plan = tmp_path / "p.yaml"
    body = "scenarios:\n  s:\n    executor: shared-iterations\n    vus: 1\n    iterations: 1\n    exec: x\n"
    plan.write_text(body)
    assert load_plan(plan).unreachable_stop_s == 10.0  # an API restart under `bwperf up` takes 2.5-3.5 s
    plan.write_text(body + "target:\n  stopWhenUnreachableFor: 0s\n")
    assert load_plan(plan).unreachable_stop_s == 0.0
