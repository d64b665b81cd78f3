"""Guardrail falling behind: jobs arrive faster than the worker finishes them, the queue grows.

From the worker's /metrics samples: `guardrail_evaluations_total` (verdicts, the processed jobs)
and the queue (`guardrail_waiting_jobs`, jobs not yet delivered, else `guardrail_queue_length`,
XLEN). Arrivals = processed + queue growth, over the load phase.
"""

from __future__ import annotations

from harness.insights.model import Insight, span_text
from harness.results.figures import load_phase_s
from harness.results.model import RunResult
from harness.results.samples import by_url, exports, gauge, increase

PROCESSED = "guardrail_evaluations_total"
QUEUES = ("guardrail_waiting_jobs", "guardrail_queue_length")
MIN_GROWTH_JOBS = 20.0
MIN_RISING_SHARE = 0.6  # at least this share of consecutive samples see the queue grow


def guardrail_behind(result: RunResult) -> list[Insight]:
    end_s = load_phase_s(result)
    for url, points in by_url(result.samples).items():
        if not exports(points, PROCESSED):
            continue
        loaded = [p for p in points if p.t_s <= end_s + 1e-6]
        queue_name = next((q for q in QUEUES if exports(loaded, q)), None)
        if queue_name is None or len(loaded) < 3:
            return []
        queue = gauge(loaded, queue_name)
        if len(queue.values) < 3:
            return []
        growth = queue.values[-1] - queue.values[0]
        steps = list(zip(queue.values, queue.values[1:], strict=False))
        rising = sum(1 for a, b in steps if b > a) / len(steps)
        if growth < MIN_GROWTH_JOBS or rising < MIN_RISING_SHARE:
            return []
        span_s = queue.t_s[-1] - queue.t_s[0]
        processed = increase(loaded, PROCESSED)
        done_rate, grow_rate = processed / span_s, growth / span_s
        title = (f"Guardrail falling behind: jobs arrived at about {done_rate + grow_rate:.3g}/s but were processed at "
                 f"{done_rate:.3g}/s; the queue grew from {queue.values[0]:.0f} to {queue.values[-1]:.0f} jobs "
                 f"in {span_text(queue.t_s[0], queue.t_s[-1])}")
        evidence = (f"{queue_name} and {PROCESSED} from {len(loaded)} scrapes of {url}",
                    f"{processed:.0f} verdicts, queue +{growth:.0f} jobs")
        return [Insight("guardrail_behind", "critical", title, evidence, None, queue.t_s[0], queue.t_s[-1])]
    return []
