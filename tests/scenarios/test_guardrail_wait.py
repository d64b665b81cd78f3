"""Waiting for a verdict: bounded polls on a fixed schedule, time measured to the verdict."""

from __future__ import annotations

from itertools import pairwise

import pytest

from scenarios.guardrail import wait_for_verdict


class FakeClock:
    def __init__(self, start_s: float = 100.0) -> None:
        self.now_s = start_s
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        self.now_s += seconds


def statuses(clock: FakeClock, answers: list[str | None], *, poll_s: float = 0.0):
    """A fetch that answers in order (the last answer repeats), each poll taking `poll_s`."""
    polls_at: list[float] = []

    def fetch() -> str | None:
        polls_at.append(clock.now_s)
        clock.now_s += poll_s
        return answers[min(len(polls_at) - 1, len(answers) - 1)]

    return fetch, polls_at


def test_the_time_is_taken_at_the_poll_that_shows_the_verdict() -> None:
    clock = FakeClock()
    fetch, polls_at = statuses(clock, ["pending_review"] * 7 + ["approved"], poll_s=0.004)
    wait = wait_for_verdict(fetch, posted_at_s=100.0, clock=clock, sleep=clock.sleep, interval_s=0.1, timeout_s=30)
    assert wait.status == "approved" and not wait.timed_out and wait.polls == 8
    assert polls_at == pytest.approx([100.0 + 0.1 * k for k in range(1, 9)])  # a fixed schedule from the POST
    assert wait.elapsed_s == pytest.approx(0.804)  # the 8th poll's answer, 800 ms + its 4 ms


def test_failed_polls_keep_polling_and_every_verdict_counts() -> None:
    for verdict in ("rejected", "needs_review"):
        clock = FakeClock()
        fetch, _ = statuses(clock, [None, "pending_review", None, verdict])
        wait = wait_for_verdict(fetch, posted_at_s=100.0, clock=clock, sleep=clock.sleep, interval_s=0.25, timeout_s=5)
        assert (wait.status, wait.polls) == (verdict, 4) and wait.elapsed_s == pytest.approx(1.0)


def test_the_wait_is_bounded_by_the_timeout() -> None:
    clock = FakeClock()
    fetch, polls_at = statuses(clock, ["pending_review"])
    wait = wait_for_verdict(fetch, posted_at_s=100.0, clock=clock, sleep=clock.sleep, interval_s=0.1, timeout_s=2.0)
    assert wait.timed_out and wait.status is None
    assert wait.polls == len(polls_at) == 20 and wait.elapsed_s == pytest.approx(2.0)


def test_a_slow_poll_is_followed_by_a_full_interval_not_a_burst() -> None:
    clock = FakeClock()
    fetch, polls_at = statuses(clock, ["pending_review", "pending_review", "approved"], poll_s=0.35)
    wait = wait_for_verdict(fetch, posted_at_s=100.0, clock=clock, sleep=clock.sleep, interval_s=0.1, timeout_s=30)
    gaps = [b - a for a, b in pairwise(polls_at)]
    assert wait.status == "approved" and all(g >= 0.35 + 0.1 - 1e-9 for g in gaps), gaps


def test_even_a_hung_server_cannot_make_it_poll_forever() -> None:
    clock = FakeClock()
    fetch, polls_at = statuses(clock, ["pending_review"], poll_s=10.0)  # each poll takes 10 s
    wait = wait_for_verdict(fetch, posted_at_s=100.0, clock=clock, sleep=clock.sleep, interval_s=0.1, timeout_s=30)
    assert wait.timed_out and len(polls_at) == 3  # 10.1 s, 20.2 s, 30.3 s: past the timeout, stop


def test_bad_parameters_are_refused() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="interval_s"):
        wait_for_verdict(lambda: None, posted_at_s=0, clock=clock, sleep=clock.sleep, interval_s=0, timeout_s=1)
