"""Waiting for the guardrail queue to drain after the load: poll `guardrail_queue_length` (XLEN of
`guardrail:jobs`: the worker deletes a job once acknowledged, so 0 means every job finished) on the
sampled /metrics endpoints until it is 0 everywhere, the timeout passes, or the run is stopped."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness.results.samples import parse_series
from harness.samplers import prometheus

QUEUE_METRIC = "guardrail_queue_length"
POLL_S = 1.0


@dataclass(frozen=True)
class DrainOutcome:
    drained: bool
    waited_s: float
    last_length: float | None


def queue_length(urls: Sequence[str], *, scrape: Callable[[str], dict[str, float]] = prometheus.scrape) -> float | None:
    """The largest queue length any endpoint reports (None when none reports it)."""
    lengths = []
    for url in urls:
        try:
            values = scrape(url)
        except (OSError, ValueError):
            continue
        lengths += [v for k, v in values.items() if parse_series(k)[0] == QUEUE_METRIC and v == v]  # NaN: unreadable
    return max(lengths) if lengths else None


def wait_for_drain(urls: Sequence[str], *, timeout_s: float, stopped: Callable[[], bool] = lambda: False,
                   clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                   scrape: Callable[[str], dict[str, float]] = prometheus.scrape,
                   poll_s: float = POLL_S) -> DrainOutcome:
    started = clock()
    last: float | None = None
    while True:
        last = queue_length(urls, scrape=scrape)
        waited = clock() - started
        if last == 0:
            return DrainOutcome(True, waited, last)
        if waited >= timeout_s or stopped():
            return DrainOutcome(False, waited, last)
        sleep(min(poll_s, max(0.0, timeout_s - waited)))
