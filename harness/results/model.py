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
# `interrupted_reason` of a run stopped from outside (Ctrl-C, SIGTERM, its parent gone): exit 130
# whatever its partial figures say, so a cancelled CI job never reads as a failed threshold.
INTERRUPTED_PREFIX = "interrupted ("


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
    iteration_duration_scheduled: TrendValues | None = Field(
        default=None, description="arrival-rate iterations from their scheduled start to their end (ms)")
    saturation: Literal["drop", "queue"] | None = Field(
        default=None, description="arrival-rate executors: what an iteration that finds no free VU does")


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


class HostConditions(_Model):
    """What else the machine was doing, over one interval (a sample window, or the load phase).

    Pressure is Linux PSI (`/proc/pressure/*`): the share of wall time in which some (or all)
    runnable tasks waited for the resource, from the kernel's cumulative counters. CPU is in cores
    (1.0 = one core busy for the whole interval). `other_cpu_cores` is the host's busy CPU less
    the generator's and, where its processes are known, the system under test's: the neighbours.
    None where the kernel or platform does not report the figure.
    """

    t_s: float = Field(description="interval start, seconds from the run start")
    duration_s: float
    cpu_pressure_some_pct: float | None = None
    cpu_pressure_full_pct: float | None = None
    memory_pressure_some_pct: float | None = None
    memory_pressure_full_pct: float | None = None
    io_pressure_some_pct: float | None = None
    io_pressure_full_pct: float | None = None
    load_avg_1m: float | None = None
    host_cpu_cores: float | None = Field(default=None, description="busy CPU of the whole host")
    steal_pct: float | None = Field(default=None, description="CPU time the hypervisor gave to other guests")
    generator_cpu_cores: float | None = None
    system_cpu_cores: float | None = Field(default=None, description="the system under test's processes on this host")
    other_cpu_cores: float | None = None
    reasons: list[str] = Field(default_factory=list, description="why this interval is degraded (empty: clean)")


class MeasurementHealth(_Model):
    """Could the machine be trusted while the run measured? `degraded` names every reason; a
    comparison treats a metric whose windows were degraded as inconclusive, never as regressed."""

    verdict: Literal["clean", "degraded"]
    reasons: list[str]
    limits: dict[str, float] = Field(description="the limits a window or the run was judged against")
    system_processes: str = Field(description="how the system under test's processes were found, or why not")
    total: HostConditions = Field(description="over the load phase")
    windows: list[HostConditions] = Field(description="one per sample window")


class LatencyWindows(_Model):
    """One latency series cut into consecutive time blocks, each block's histogram apart: the
    time structure a moving-block bootstrap resamples (samples within a run are correlated)."""

    scenario: str | None = Field(description="None for run-wide series")
    method: str | None = Field(description="None for a custom trend")
    name: str = Field(description="request name, or the trend's metric name")
    block_s: float = Field(description="length of one block (the run's window, or a multiple of it)")
    t_s: list[float] = Field(description="each block's start, seconds from the run start")
    hdr: list[str] = Field(description="each block's histogram, base64 of hdrh encode(), microseconds")


class ServerRouteLatency(_Model):
    """The target's own request-duration histogram for one route, over the load phase (the
    difference of two scrapes of its Prometheus /metrics), all statuses together."""

    route: str
    method: str
    count: int = Field(description="observations (the +Inf bucket)")
    sum_s: float
    buckets: list[tuple[float, int]] = Field(description="(finite upper bound in seconds, cumulative count)")
    windows: list[list[int]] = Field(default_factory=list, description=(
        "per scrape window (ServerLatency.window_t_s), the observations per bucket (not cumulative), "
        "one count per finite bound and the last for +Inf"))

    def cumulative(self) -> list[tuple[float, float]]:
        """Every bucket with +Inf, as `histogram_quantile` reads them."""
        return [(bound, float(count)) for bound, count in self.buckets] + [(float("inf"), float(self.count))]


class ServerLatency(_Model):
    url: str
    metric: str = "http_request_duration_seconds"
    start_t_s: float
    end_t_s: float
    routes: list[ServerRouteLatency]
    window_t_s: list[float] = Field(default_factory=list, description="each scrape window's start, seconds from the run start")


class GoalOutcome(_Model):
    """One stress goal of the plan (`goals:`, see harness.goals.spec), judged after the run."""

    name: str
    kind: str
    status: Literal["pass", "fail", "warn"] = Field(description="warn: shown, never fails the run")
    observed: str = Field(description="the figure, as shown")
    limit: str = Field(description="what the goal checked, as shown")
    detail: str = ""


class UnaccountedItem(_Model):
    """One acknowledged write the platform cannot account for (found by the post-run reconciliation)."""

    kind: Literal["problem", "job", "agent"]
    id: str
    reason: str


class GoalsVerdict(_Model):
    """A stress plan's goals and their verdicts: judged by `bwperf run` once the engine has exited
    (they need the ledgers, the broker and the post-run checks), then written into this result."""

    outcomes: list[GoalOutcome]
    unaccounted: list[UnaccountedItem] = Field(default_factory=list, description=(
        "what the reconciliation could not account for: the first few (harness.goals.evaluate.MAX_LISTED_UNACCOUNTED); "
        "reconciliation.json beside the result has them all"))
    unaccounted_total: int = 0
    notes: list[str] = Field(default_factory=list, description="why an input of the goals was missing or unreadable")
    pending: str | None = Field(default=None, description=(
        "why the goals have no verdict: not judged yet (the engine wrote the result; `bwperf run` judges "
        "them next), the run did not complete, or judging failed. A run with pending goals never reads PASS"))

    @property
    def ok(self) -> bool:
        """No goal failed (a warning is not a failure)."""
        return all(o.status != "fail" for o in self.outcomes)


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
    # Added within schema 1 (results written before them load with the defaults).
    health: MeasurementHealth | None = Field(default=None, description="measurement health; None: not recorded")
    latency_windows: list[LatencyWindows] = Field(default_factory=list)
    server_latency: ServerLatency | None = Field(default=None, description="None: the target exposes no histogram")
    goals: GoalsVerdict | None = Field(default=None, description="stress goals; None: the plan has none (or not judged)")
