"""A load session: this process's share of every scenario of a plan, run as greenlets.

Each scenario waits for its startTime, then its executor runtime drives VUs through a
`GeventVuHost`. A ticker closes the recorder's windows at every window boundary and hands them
on (to the local aggregator, or to the master). Everything ends by itself: each scenario at its
duration plus gracefulStop, and the whole session at a hard deadline whatever happens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import gevent
import psutil
from gevent.event import Event

from harness.credentials import AgentCredential, credential_source, credentials_of
from harness.data import DataExhausted, DataSets
from harness.data.errors import DataRunOutError
from harness.engine.behaviours import BehaviourSet
from harness.health.generator import CpuReading
from harness.engine.hooks import AFTER_SESSION_MAX_S, SessionContext, run_bounded, run_dir_from_env
from harness.engine.sink import attach_request_sink
from harness.engine.vu import VirtualUser, user_class_for
from harness.engine.vu_host import GeventVuHost, StoppableClock
from harness.executors.base import ScenarioConfig, WorkerSlice
from harness.metrics.recorder import Recorder
from harness.metrics.window import Window
from harness.plan.model import Plan

logger = logging.getLogger(__name__)

HARD_DEADLINE_MARGIN_S = 15.0
MIN_CPU_INTERVAL_S = 0.25

WindowsCallback = Callable[[list[Window], int], None]


@dataclass(frozen=True)
class SessionSpec:
    plan: Plan
    target: str
    worker: WorkerSlice
    credentials: tuple[AgentCredential, ...]
    start_at_s: float  # monotonic time of the run's start on this process
    data: DataSets = field(default_factory=DataSets)  # the plan's data sets, this process's share


class CpuSampler:
    def __init__(self, role: str) -> None:
        self.role = role
        self._process = psutil.Process()
        self._process.cpu_percent(None)
        self._last_s = time.monotonic()
        self.samples: list[float] = []

    def sample(self) -> None:
        """One reading since the previous one; readings over less than MIN_CPU_INTERVAL_S are too
        noisy to keep (psutil divides by the interval) and are folded into the next."""
        now = time.monotonic()
        if now - self._last_s < MIN_CPU_INTERVAL_S:
            return
        self._last_s = now
        self.samples.append(self._process.cpu_percent(None))

    def reading(self) -> CpuReading:
        """Average and peak over the run; the first sample (start-up) is left out when there are others."""
        values = self.samples[1:] or self.samples or [0.0]
        return CpuReading(self.role, self._process.pid, sum(values) / len(values), max(values))


class LoadSession:
    def __init__(
        self,
        spec: SessionSpec,
        *,
        environment: Any,
        behaviours: BehaviourSet,
        on_windows: WindowsCallback,
        warn: Callable[[str], None],
        role: str = "local",
    ) -> None:
        self.spec = spec
        self.stop_event = Event()
        self.recorder = Recorder(run_start_s=spec.start_at_s, window_s=spec.plan.window_s, clock=time.monotonic)
        self.hosts: dict[str, GeventVuHost] = {}
        self.cpu = CpuSampler(role)
        self._environment = environment
        self._behaviours = behaviours
        self._on_windows = on_windows
        self._warn = warn
        self._clock = StoppableClock(self.stop_event)
        self._user_class = user_class_for(spec.target)
        self._vu_serial = 0
        self._scenario_stops: dict[str, Event] = {}  # set by stop(), or for one scenario when its rows run out
        self._no_row: Counter[tuple[str, str]] = Counter()  # (data set, scenario): iterations that found no row
        self.data_failure: DataRunOutError | None = None  # rows ran out with onExhausted: fail
        worker = spec.worker
        self._keys = (credential_source(spec.credentials, worker_index=worker.index, worker_count=worker.count)
                      if spec.credentials else None)
        self._key_pool = credentials_of(self._keys) if self._keys else ()

    @property
    def hard_deadline_s(self) -> float:
        return self.spec.start_at_s + self.spec.plan.hard_deadline_s + HARD_DEADLINE_MARGIN_S

    def stop(self) -> None:
        self.stop_event.set()
        for event in self._scenario_stops.values():
            event.set()

    def _scenario_stop(self, name: str) -> Event:
        event = self._scenario_stops.get(name)
        if event is None:
            event = self._scenario_stops[name] = Event()
            if self.stop_event.is_set():
                event.set()
        return event

    def _on_data_exhausted(self, scenario: str, event: DataExhausted) -> None:
        """Rows of a data set ran out in an iteration of `scenario`: stop that scenario (its VUs
        finish, no new iterations), or stop the run and fail it (`onExhausted: fail`)."""
        self._no_row[(event.name, scenario)] += 1
        if event.on_exhausted == "stop":
            self._scenario_stop(scenario).set()
            return
        if self.data_failure is None:
            at_s = max(0.0, time.monotonic() - self.spec.start_at_s)
            source = self.spec.data.sources.get(event.name)
            advice = "cycle" if source is not None and source.per_vu else "stop"
            self.data_failure = DataRunOutError(
                f"data {event.name}: ran out of rows {at_s:.1f}s into the run in scenario {scenario} "
                f"(this process had {event.rows}; onExhausted: {event.on_exhausted}): give more rows, or "
                f"set onExhausted: {advice}")
            self.stop()

    def _report_data(self) -> None:
        """One warning per data set and scenario that ran out (they end up in the result)."""
        for (name, scenario), count in sorted(self._no_row.items()):
            source = self.spec.data.sources.get(name)
            action = "stopped" if source is not None and source.on_exhausted == "stop" else "failed the run"
            self._warn(f"data {name}: rows ran out in scenario {scenario}, which was {action} "
                       f"(onExhausted: {source.on_exhausted if source else 'fail'}); "
                       f"{count} iteration(s) found no row left")

    def gauges(self) -> dict[str, tuple[int, int]]:
        return {name: (host.busy, host.read_allocated_peak()) for name, host in self.hosts.items()}

    def run(self) -> None:
        """Run every scenario to its end (or the stop), then flush the last windows."""
        detach = attach_request_sink(self._environment.events, self.recorder)
        ticker = gevent.spawn(self._tick_loop)
        scenarios = [gevent.spawn(self._run_scenario, n, c) for n, c in self.spec.plan.scenarios.items()]
        try:
            gevent.joinall(scenarios, timeout=max(0.0, self.hard_deadline_s - time.monotonic()))
            late = [g for g in scenarios if not g.dead]
            if late:
                self._warn(f"hard deadline reached: stopping {len(late)} scenario(s) that had not ended")
                self.stop()
                gevent.killall(late, block=True, timeout=5.0)
            for name, greenlet in zip(self.spec.plan.scenarios, scenarios, strict=True):
                if greenlet.exception is not None:
                    self._warn(f"scenario {name} failed: {greenlet.exception!r}")
            self._report_data()
            self._after_session()
        finally:
            for host in self.hosts.values():
                host.kill_all()
            ticker.kill(block=True)
            self.cpu.sample()
            windows, closed_through = self.recorder.take_all(gauges=self.gauges())
            self._on_windows(windows, closed_through)
            detach()

    def _after_session(self) -> None:
        """The behaviour module's `after_session` hook (harness.engine.hooks), unless stopped."""
        hook = self._behaviours.after_session
        if hook is None or self.stop_event.is_set():
            return
        worker = self.spec.worker
        context = SessionContext(target=self.spec.target, worker_index=worker.index, worker_count=worker.count,
                                 run_dir=run_dir_from_env(), warn=self._warn)
        run_bounded(hook, context, max_s=AFTER_SESSION_MAX_S, name="after_session", warn=self._warn)

    def _run_scenario(self, name: str, config: ScenarioConfig) -> None:
        start_s = self.spec.start_at_s + config.common.start_time_s
        self._clock.sleep_until(start_s)
        if self.stop_event.is_set():
            return
        runtime = config.new_runtime(worker=self.spec.worker)
        host = GeventVuHost(
            scenario=name,
            make_vu=lambda _index: self._make_vu(name, config),
            recorder=self.recorder,
            stop_event=self._scenario_stop(name),
            warn=self._warn,
        )
        self.hosts[name] = host
        runtime.run(host, start_s=start_s)

    def _make_vu(self, scenario: str, config: ScenarioConfig) -> VirtualUser:
        worker = self.spec.worker
        vu_id = self._vu_serial * worker.count + worker.index
        self._vu_serial += 1
        keys = self._keys
        return self._user_class(
            self._environment,
            scenario=scenario,
            vu_id=vu_id,
            behaviour=self._behaviours.functions[scenario],
            credentials=AgentCredential.from_wire(keys.for_vu(vu_id)) if keys else None,
            credential_pool=self._key_pool,
            data=self.spec.data,
            on_data_exhausted=self._on_data_exhausted,
            recorder=self.recorder,
            declared=self._behaviours.metrics,
            tags=config.common.tags,
        )

    def _tick_loop(self) -> None:
        window_s = self.spec.plan.window_s
        index = 1
        while True:
            boundary_s = self.spec.start_at_s + index * window_s + 0.001
            delay = boundary_s - time.monotonic()
            if delay > 0:
                gevent.sleep(delay)
            now = time.monotonic()
            index = self.recorder.window_index(now) + 1
            self.cpu.sample()
            windows, closed_through = self.recorder.take_closed(now_s=now, gauges=self.gauges())
            if closed_through >= 0:
                self._on_windows(windows, closed_through)
