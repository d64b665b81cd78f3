"""What the `bwperf run` command hands to the engine process (as JSON on its stdin)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from harness.live.names import DEFAULT_HOST, DEFAULT_LINGER_S


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    plan_path: str
    profile: str = "full"
    target: str
    out_dir: str = "reports"
    run_id: str
    workers: int = 0  # 0: one process; N: a master and N local worker processes
    expect_remote_workers: int = 0
    master_bind_host: str = "127.0.0.1"
    master_port: int = 5557
    agents: int | None = None  # None: the plan's setup.agents
    redis_url: str | None = None
    metrics_urls: list[str] = []
    sample_interval_s: float | None = None
    quiet: bool = False
    # The system under test's processes on this host, for the measurement-health accounting
    # (their CPU is the system's, not a neighbour's); found by `bwperf run`.
    system_pids: list[int] = []
    system_description: str = "not known"
    system_on_this_host: bool = True
    # Live Prometheus metrics (harness.live): served on metrics_host:metrics_port while the run
    # lasts, then until one scrape read the final state, at most metrics_linger_s.
    metrics_port: int | None = None
    metrics_host: str = DEFAULT_HOST
    metrics_linger_s: float = DEFAULT_LINGER_S
