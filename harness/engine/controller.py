"""What a run does around the load, the same for a local run and a distributed master:
aggregate the windows that arrive, show progress, stop on an aborting threshold or Ctrl-C,
sample the target and Redis, write a live snapshot of the result after each sample (so the
dashboard can follow a run), serve live Prometheus metrics when asked (`--metrics-port`), and
build the final result at the end."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import gevent
import locust

from harness.health.generator import CpuReading
from harness.engine.hooks import AFTER_LOAD_MAX_S, AfterLoadContext, run_bounded
from harness.engine.progress import Progress
from harness.engine.request import RunRequest
from harness.engine.target_watch import TargetWatch
from harness.engine.result_builder import RunFacts, build_result
from harness.engine.stopping import STOP_REASONS
from harness.health.sampler import HealthSampler, SystemProcesses
from harness.live.collector import GeneratorProcesses, LiveCollector
from harness.live.server import MetricsServer
from harness.metrics.aggregate import Aggregator
from harness.metrics.window import Window
from harness.plan.model import Plan
from harness.results.io import RESULT_FILE_NAME, save_result
from harness.results.model import RUNNING_REASON, Machine, PrometheusSample, RunMeta, RunResult, ServerLatency, Versions
from harness.samplers import prometheus
from harness.samplers.collector import SampleCollector
from harness.samplers.server_latency import server_latency
from harness.thresholds import evaluate
from harness.version import harness_version, python_version


class RunController:
    def __init__(
        self,
        *,
        request: RunRequest,
        plan: Plan,
        producers: int,
        progress: Progress,
        collector: SampleCollector,
        stop_all: Callable[[], None],
        run_start_s: float,
        time_trends: frozenset[str] = frozenset(),
    ) -> None:
        self.request = request
        self.plan = plan
        self.aggregator = Aggregator(window_s=plan.window_s, producers=producers)
        self.progress = progress
        self.collector = collector
        self.run_start_s = run_start_s
        self.started_at = datetime.now(UTC)
        self.interrupted_reason: str | None = None
        self.aborted_by: set[tuple[str, str]] = set()
        self._stop_all = stop_all
        self._sampler: gevent.Greenlet | None = None
        self.warnings: list[str] = []
        self.time_trends = time_trends
        self.target_watch = TargetWatch(window_s=plan.window_s, down_after_s=plan.unreachable_stop_s)
        self.health = HealthSampler(run_start_s=run_start_s, system=SystemProcesses(
            pids=tuple(request.system_pids), description=request.system_description,
            on_this_host=request.system_on_this_host))
        self._server_before: PrometheusSample | None = None
        self.server_latency: ServerLatency | None = None
        role = "master" if request.workers or request.expect_remote_workers else "local"
        self.generator_processes = GeneratorProcesses([(role, os.getpid())])
        self._metrics: MetricsServer | None = None

    def warn(self, message: str) -> None:
        """An engine warning: shown once and kept in the result."""
        if message not in self.warnings:
            self.warnings.append(message)
            self.progress.message(f"warning: {message}")

    def elapsed_s(self) -> float:
        return max(0.0, time.monotonic() - self.run_start_s)

    def on_windows(self, windows: list[Window], *, producer: str, closed_through: int) -> None:
        points = self.aggregator.add(windows, producer=producer, closed_through=closed_through)
        self.aggregator.elapsed_s = self.elapsed_s()
        if points:
            self.progress.update(points, elapsed_s=self.aggregator.elapsed_s)
            self._check_aborts()
            down = self.target_watch.observe(points)
            if down is not None:
                self.interrupt(down)

    def _check_aborts(self) -> None:
        elapsed = self.aggregator.elapsed_s
        specs = [s for s in self.plan.thresholds if s.abort_on_fail and elapsed >= s.delay_abort_eval_s]
        failed = [o for o in evaluate(specs, self.aggregator) if not o.ok]
        if failed and self.interrupted_reason is None:
            self.aborted_by = {(o.spec.key, o.spec.expression) for o in failed}
            first = failed[0]
            self.interrupt(f"threshold {first.spec.key}: {first.spec.expression} failed "
                           f"(observed {first.observed:.4g}) with abortOnFail")

    def interrupt(self, reason: str) -> None:
        if self.interrupted_reason is None:
            self.interrupted_reason = reason
            self.progress.message(f"stopping: {reason}")
        self._stop_all()

    @property
    def live_path(self) -> Path:
        return Path(self.request.out_dir) / self.request.run_id / RESULT_FILE_NAME

    def start_sampling(self) -> None:
        """Called just before the load starts: the first readings of the host and the server."""
        self.health.start_load()
        self._serve_metrics()
        self._server_before = self._scrape_target()

        def loop() -> None:
            while True:
                self.collector.sample_once(self.elapsed_s())
                self.health.sample()
                self.write_snapshot()
                gevent.sleep(self.collector.interval_s)

        self._sampler = gevent.spawn(loop)

    def _serve_metrics(self) -> None:
        if self.request.metrics_port is None:
            return
        collector = LiveCollector(self.aggregator, processes=self.generator_processes, run_labels={
            "run_id": self.request.run_id, "plan": self.plan.display_path, "profile": self.plan.profile})
        server = MetricsServer(collector, host=self.request.metrics_host, port=self.request.metrics_port)
        server.start()
        self._metrics = server
        self.progress.message(f"metrics: http://{self.request.metrics_host}:{self.request.metrics_port}/metrics")

    def _stop_metrics(self) -> None:
        """The state is final: serve it until one scrape has read it (at most --metrics-linger;
        not after a stop signal), then stop serving."""
        if self._metrics is None:
            return
        self.aggregator.finalize_all()  # the last windows' VU gauges
        linger_s = 0.0 if self.interrupted_reason in STOP_REASONS else self.request.metrics_linger_s
        if not self._metrics.finish(linger_s=linger_s) and linger_s > 0:
            self.warn(f"no scrape of the final metrics within --metrics-linger {linger_s:g}s")
        self._metrics = None

    def end_load(self) -> None:
        """Called when the last scenario ended, before any after_load drain: the load phase's
        host conditions and the server's own latency histograms are closed here."""
        self.health.end_load()
        after = self._scrape_target()
        if self._server_before is not None and after is not None:
            during = [sample for sample in self.collector.prometheus if sample.url == after.url]
            self.server_latency = server_latency(self._server_before, after, during=during)

    def _scrape_target(self) -> PrometheusSample | None:
        url = f"{self.request.target.rstrip('/')}/metrics"
        try:
            values = prometheus.scrape(url)
        except (OSError, ValueError) as error:
            self.collector.note_once("server-latency", f"server-side latency not recorded: {url} not scraped ({error})")
            return None
        return PrometheusSample(t_s=round(self.elapsed_s(), 3), url=url, values=values)

    def after_load(self, hook: Callable[..., None] | None) -> None:
        """The behaviour module's `after_load` hook (harness.engine.hooks), while sampling goes on;
        skipped when the run was interrupted."""
        if hook is None or self.interrupted_reason is not None:
            return
        context = AfterLoadContext(
            target=self.request.target, redis_url=self.request.redis_url,
            metrics_urls=tuple(self.collector.prometheus_urls), run_dir=self.live_path.parent,
            duration_scale=self.plan.profiles[self.plan.profile], warn=self.warn, message=self.progress.message,
            stopped=lambda: self.interrupted_reason is not None,
        )
        run_bounded(hook, context, max_s=AFTER_LOAD_MAX_S, name="after_load", warn=self.warn)

    def stop_sampling(self) -> None:
        if self._sampler is not None:
            self._sampler.kill(block=True, timeout=5.0)
        self.collector.sample_once(self.elapsed_s())
        self._stop_metrics()

    def write_snapshot(self) -> None:
        """The result so far (closed windows only), marked incomplete and running. Atomic, so a
        reader sees the last snapshot or the next, never half a file; the final result replaces it."""
        try:
            snapshot = self._result(cpu=[], workers=1, complete=False, reason=RUNNING_REASON)
            save_result(snapshot, self.live_path)
        except Exception as exc:  # noqa: BLE001 - a snapshot must never stop the load
            self.warn(f"live snapshot not written: {exc}")

    def build(self, *, cpu: list[CpuReading], workers: int) -> RunResult:
        self.aggregator.finalize_all()
        return self._result(cpu=cpu, workers=workers, complete=self.interrupted_reason is None,
                            reason=self.interrupted_reason)

    def _result(self, *, cpu: list[CpuReading], workers: int, complete: bool, reason: str | None) -> RunResult:
        self.aggregator.elapsed_s = self.elapsed_s()
        outcomes = evaluate(list(self.plan.thresholds), self.aggregator)
        ended_at = datetime.now(UTC)
        meta = RunMeta(
            run_id=self.request.run_id,
            started_at=self.started_at,
            ended_at=ended_at,
            duration_s=round(self.aggregator.elapsed_s, 3),
            target=self.request.target,
            plan_path=self.plan.display_path,
            plan_sha256=self.plan.sha256,
            profile=self.plan.profile,
            duration_scale=self.plan.profiles[self.plan.profile],
            git_sha=git_sha(self.plan.path.resolve().parent),
            versions=Versions(python=python_version(), locust=locust.__version__, harness=harness_version()),
            machine=Machine(hostname=socket.gethostname(), cpu_count=os.cpu_count() or 1, platform=platform.platform()),
            workers=max(1, workers),
            window_s=self.plan.window_s,
        )
        facts = RunFacts(
            meta=meta,
            complete=complete,
            interrupted_reason=reason,
            samples=self.collector.result(),
            cpu=cpu,
            aborted_by=frozenset(self.aborted_by),
            warnings=tuple(self.warnings),
            time_trends=self.time_trends,
            health=self.health.health(generator_reasons=[]),
            server_latency=self.server_latency,
        )
        return build_result(plan=self.plan, aggregator=self.aggregator, outcomes=outcomes, facts=facts)


def git_sha(directory: os.PathLike[str] | str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and sha else None
