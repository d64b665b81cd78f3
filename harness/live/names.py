"""The live metrics' names (Prometheus conventions: base units, `_seconds`, `_total`) and buckets."""

from __future__ import annotations

PREFIX = "bwperf_"

HTTP_REQUEST_DURATION = "bwperf_http_request_duration_seconds"  # histogram: scenario, name, method
HTTP_REQUESTS = "bwperf_http_requests_total"  # counter: scenario, name, method, outcome
ITERATIONS = "bwperf_iterations_total"  # counter: scenario (completed, as k6's `iterations`)
DROPPED_ITERATIONS = "bwperf_dropped_iterations_total"  # counter: scenario
ITERATION_DURATION = "bwperf_iteration_duration_seconds"  # histogram: scenario
ITERATION_START_LAG = "bwperf_iteration_start_lag_seconds"  # histogram: scenario
ITERATION_DURATION_SCHEDULED = "bwperf_iteration_duration_scheduled_seconds"  # histogram: scenario
VUS = "bwperf_vus"  # gauge: scenario (busy VUs in the last final window)
VUS_MAX = "bwperf_vus_max"  # gauge: scenario (most VUs allocated so far)
GENERATOR_CPU = "bwperf_generator_cpu_seconds_total"  # counter: role, pid
HOST_CPU_PRESSURE = "bwperf_host_cpu_pressure_seconds_total"  # counter: kind (some, full)
RUN_INFO = "bwperf_run_info"  # gauge 1: run_id, plan, profile

METRIC_NAMES = (
    HTTP_REQUEST_DURATION, HTTP_REQUESTS, ITERATIONS, DROPPED_ITERATIONS, ITERATION_DURATION,
    ITERATION_START_LAG, ITERATION_DURATION_SCHEDULED, VUS, VUS_MAX, GENERATOR_CPU, HOST_CPU_PRESSURE, RUN_INFO,
)

# `outcome` of a request: "ok", or its failure class (harness.metrics.failures: 4xx, 429, 5xx,
# connection, check).
OUTCOME_OK = "ok"

# Bucket bounds (seconds) of every histogram: 0.5 ms to 1 min, 1-2.5-5 steps.
BUCKET_BOUNDS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

DEFAULT_HOST = "127.0.0.1"
# After the load, keep serving until one scrape has read the final state, at most this long.
DEFAULT_LINGER_S = 10.0
MAX_LINGER_S = 600.0
