"""Waiting for a guardrail verdict through the API, and the time it took.

The API answers a submission with 202 and `status: pending_review`; the worker later commits
approved, rejected or needs_review. `wait_for_verdict` polls on a fixed schedule from the POST
(every `interval_s`, at most `timeout_s`, so at most timeout/interval polls) and returns the time
from sending the POST to receiving the first poll that shows a verdict. That is an upper bound
on the true time to the verdict, high by at most one interval plus one poll's round trip.

The clock and sleep are injected: the engine passes `time.monotonic` and `time.sleep` (gevent's
under Locust), the tests a fake clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from scenarios.api import PENDING_STATUS

POLL_INTERVAL_S = 0.1
VERDICT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class VerdictWait:
    status: str | None  # the verdict; None when none was seen in time
    elapsed_s: float  # from the POST to the poll that showed the verdict (or to giving up)
    polls: int

    @property
    def timed_out(self) -> bool:
        return self.status is None


def wait_for_verdict(
    fetch_status: Callable[[], str | None],
    *,
    posted_at_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    interval_s: float = POLL_INTERVAL_S,
    timeout_s: float = VERDICT_TIMEOUT_S,
) -> VerdictWait:
    """Poll `fetch_status()` (None: that poll failed) every `interval_s` from the POST until it shows
    a status other than pending_review, or until `timeout_s` after the POST. A poll that returns
    late is followed by a full interval, never by a burst of catch-up polls."""
    if interval_s <= 0 or timeout_s <= 0:
        raise ValueError(f"interval_s and timeout_s must be > 0, but are {interval_s} and {timeout_s}")
    max_polls = max(1, math.ceil(timeout_s / interval_s))
    next_at_s = posted_at_s + interval_s
    polls = 0
    while polls < max_polls:
        delay_s = next_at_s - clock()
        if delay_s > 0:
            sleep(delay_s)
        status = fetch_status()
        polls += 1
        now_s = clock()
        if status is not None and status != PENDING_STATUS:
            return VerdictWait(status=status, elapsed_s=now_s - posted_at_s, polls=polls)
        if now_s - posted_at_s >= timeout_s:
            break
        next_at_s += interval_s
        if next_at_s <= now_s:  # this poll ran past the next slot: wait a full interval, no catch-up burst
            next_at_s = now_s + interval_s
    return VerdictWait(status=None, elapsed_s=clock() - posted_at_s, polls=polls)
