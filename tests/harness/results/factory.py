"""A real run result built by the engine's own builder from recorded windows (no load)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from harness.health.generator import CpuReading
from harness.engine.result_builder import RunFacts, build_result
from harness.metrics.aggregate import Aggregator
from harness.metrics.failures import FailureClass
from harness.metrics.names import MetricKind
from harness.metrics.recorder import Recorder
from harness.plan.load import load_plan
from harness.results.model import Machine, RunMeta, RunResult, Samples, Versions
from harness.thresholds import evaluate

PLAN = {
    "scenarios": {"browse": {"executor": "constant-arrival-rate", "rate": 10, "duration": "2s", "preAllocatedVUs": 2}},
    "thresholds": {"http_req_duration": ["p(95)<200"], "http_req_duration{scenario:browse}": ["p(99)<100"],
                   "errors": ["rate<0.01"], "http_reqs": ["count>10"]},
}


def make_result(tmp_path: Path) -> RunResult:
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(PLAN))
    plan = load_plan(plan_path)
    now = [0.0]
    recorder = Recorder(run_start_s=0.0, window_s=1.0, clock=lambda: now[0])
    for n in range(20):
        now[0] = n * 0.1
        recorder.record_iteration_start(scenario="browse", lag_ms=0.5)
        failure = FailureClass.RATE_LIMITED_429 if n == 19 else None
        recorder.record_request(scenario="browse", method="GET", name="/problems", duration_ms=10.0 + 10 * n,
                                failure=failure)
        recorder.record_iteration_end(scenario="browse", duration_ms=11.0 + 10 * n, error=False)
        recorder.record_custom(scenario="browse", metric="errors", kind=MetricKind.RATE, value=float(n == 19))
    aggregator = Aggregator(window_s=1.0, producers=1)
    windows, through = recorder.take_all(gauges={"browse": (1, 2)})
    aggregator.add(windows, producer="local", closed_through=through)
    aggregator.elapsed_s = 2.0
    started = datetime(2026, 1, 1, tzinfo=UTC)
    meta = RunMeta(run_id="r1", started_at=started, ended_at=started, duration_s=2.0, target="http://127.0.0.1:1",
                   plan_path="plan.yaml", plan_sha256=plan.sha256, profile="full", duration_scale=1.0, git_sha=None,
                   versions=Versions(python="3", locust="2", harness="0"),
                   machine=Machine(hostname="h", cpu_count=2, platform="linux"), workers=1, window_s=1.0)
    facts = RunFacts(meta=meta, complete=True, interrupted_reason=None, samples=Samples(interval_s=5.0),
                     cpu=[CpuReading("local", 1, 12.0, 30.0)], aborted_by=frozenset())
    return build_result(plan=plan, aggregator=aggregator, outcomes=evaluate(list(plan.thresholds), aggregator), facts=facts)
