"""The run result: one JSON file per run, the single contract between the engine, the
comparison, the dashboard and the reports (DESIGN.md §3).

Read it only through `harness.results.load_result(path)`, which validates it. Units are in the
field names; times are UTC ISO-8601; histograms are base64 of hdrh's `encode()` (microseconds,
3 significant digits), decodable with `harness.metrics.hdr.decode`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
# `interrupted_reason` of the live snapshots a run writes while it is going (complete is false).
RUNNING_REASON = "running: live snapshot, the run is not finished"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versions(_Model):
    python: str
    locust: str
    harness: str


class Machine(_Model):
    hostname: str
    cpu_count: int
    platform: str


class RunMeta(_Model):
    run_id: str
    started_at: datetime
    ended_at: datetime
    duration_s: float
    target: str
    plan_path: str
    plan_sha256: str
    profile: str
    duration_scale: float
    git_sha: str | None
    versions: Versions
    machine: Machine
    workers: int = Field(description="load-generating processes (1 for a local run)")
    window_s: float


class TrendValues(_Model):
    """k6's trend stats in milliseconds, with the histogram they come from."""

    count: int
    avg: float
    min: float
    med: float
    max: float
    p90: float
    p95: float
    p99: float
    hdr: str = Field(description="base64 of hdrh encode(), microseconds")


class RequestStats(_Model):
    """One request name in one scenario."""

    scenario: str
    method: str
    name: str
    count: int
    failures: dict[str, int] = Field(description="by class: 4xx, 429, 5xx, connection, check")
    duration_ms: TrendValues


class ScenarioStats(_Model):
    executor: str
    exec: str
    start_time_s: float
    duration_s: float
    target_rate_per_s: float | None = Field(description="arrival-rate executors: mean scheduled rate")
    achieved_rate_per_s: float = Field(description="iterations started per second of the scenario")
    iterations_started: int
    iterations_completed: int
    iteration_errors: int
    dropped_iterations: int
    vus_max: int
    requests: int
    failures: dict[str, int] = Field(description="requests by failure class, plus failed vu.check()s as 'check'")
    http_req_duration: TrendValues | None
    iteration_duration: TrendValues | None
    iteration_lag: TrendValues | None


class MetricValues(_Model):
    """A metric over the whole run (or one scenario), in k6's terms."""

    type: Literal["trend", "rate", "counter", "gauge"]
    contains: Literal["time", "default"] = "default"
    count: int | None = None
    rate: float | None = None
    value: float | None = None
    passes: int | None = None
    fails: int | None = None
    trend: TrendValues | None = None


class ThresholdResult(_Model):
    metric: str = Field(description="the key as written, tag filter included")
    expression: str
    ok: bool
    observed: float | None = Field(description="None when the metric had no samples (passes, as k6)")
    abort_on_fail: bool
    aborted_run: bool = False


class SeriesPointModel(_Model):
    t_s: float = Field(description="window start, seconds from the run start")
    scenario: str
    requests: int
    failures: dict[str, int]
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    iterations_per_s: float
    dropped: int
    active_vus: int
    allocated_vus: int


class PrometheusSample(_Model):
    t_s: float
    url: str
    values: dict[str, float] = Field(description='"name{label=\\"v\\"}" -> value')


class RedisSample(_Model):
    t_s: float
    used_memory: int | None = None
    used_memory_rss: int | None = None
    maxmemory: int | None = None
    maxmemory_policy: str | None = None
    connected_clients: int | None = None
    evicted_keys: int | None = None


class Samples(_Model):
    interval_s: float
    prometheus: list[PrometheusSample] = Field(default_factory=list)
    redis: list[RedisSample] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class ProcessCpu(_Model):
    role: str
    pid: int
    cpu_percent_avg: float
    cpu_percent_max: float


class GeneratorHealth(_Model):
    lag_p50_ms: float | None
    lag_p99_ms: float | None
    lag_max_ms: float | None
    dropped_iterations: int
    processes: list[ProcessCpu]
    saturated: bool
    reasons: list[str]


class RunResult(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    meta: RunMeta
    complete: bool
    interrupted_reason: str | None = None
    scenarios: dict[str, ScenarioStats]
    requests: list[RequestStats]
    metrics: dict[str, MetricValues] = Field(description="run-wide, k6 names (custom metrics too)")
    thresholds: list[ThresholdResult]
    thresholds_ok: bool
    time_series: list[SeriesPointModel]
    samples: Samples
    generator: GeneratorHealth
    warnings: list[str] = Field(default_factory=list, description="engine warnings (each once)")
