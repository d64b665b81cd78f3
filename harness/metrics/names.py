"""Metric names, kinds and the constants of measurement, in one place."""

from __future__ import annotations

from enum import Enum


class MetricKind(str, Enum):
    TREND = "trend"
    RATE = "rate"
    COUNTER = "counter"
    GAUGE = "gauge"


HTTP_REQ_DURATION = "http_req_duration"
HTTP_REQS = "http_reqs"
HTTP_REQ_FAILED = "http_req_failed"
ITERATIONS = "iterations"
ITERATION_DURATION = "iteration_duration"
ITERATION_LAG = "iteration_lag"
# Arrival-rate iterations, from their scheduled start to their end: what a user arriving on the
# schedule waited (with `saturation: queue`, the time queued for a free VU included).
ITERATION_DURATION_SCHEDULED = "iteration_duration_scheduled"
DROPPED_ITERATIONS = "dropped_iterations"
CHECKS = "checks"
VUS = "vus"
VUS_MAX = "vus_max"

BUILTIN_METRICS: dict[str, MetricKind] = {
    HTTP_REQ_DURATION: MetricKind.TREND,
    HTTP_REQS: MetricKind.COUNTER,
    HTTP_REQ_FAILED: MetricKind.RATE,
    ITERATIONS: MetricKind.COUNTER,
    ITERATION_DURATION: MetricKind.TREND,
    ITERATION_LAG: MetricKind.TREND,
    ITERATION_DURATION_SCHEDULED: MetricKind.TREND,
    DROPPED_ITERATIONS: MetricKind.COUNTER,
    CHECKS: MetricKind.RATE,
    VUS: MetricKind.GAUGE,
    VUS_MAX: MetricKind.GAUGE,
}

# Which threshold tag filters each metric understands.
REQUEST_TAGS = ("scenario", "name", "method")
SCENARIO_TAGS = ("scenario",)


def tags_for(metric: str) -> tuple[str, ...]:
    return REQUEST_TAGS if metric in (HTTP_REQ_DURATION, HTTP_REQS, HTTP_REQ_FAILED) else SCENARIO_TAGS


# HdrHistogram: microseconds, 1 us to 10 min, 3 significant digits (0.1 % resolution).
HDR_LOWEST_US = 1
HDR_HIGHEST_US = 600_000_000
HDR_SIGNIFICANT_DIGITS = 3

# Trend values are milliseconds (k6's convention for time trends); stored as integer microseconds.
US_PER_MS = 1000.0

DEFAULT_WINDOW_S = 1.0
DEFAULT_SAMPLE_INTERVAL_S = 5.0
MAX_REQUEST_NAMES_PER_SCENARIO = 200
OTHER_REQUEST_NAME = "(other)"
