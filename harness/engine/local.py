"""A run in one process: the load session and the controller side by side."""

from __future__ import annotations

import time

from locust.env import Environment
from locust.event import Events

from harness.credentials import AgentCredential
from harness.data import load_data_sets
from harness.engine.behaviours import BehaviourSet
from harness.engine.controller import RunController
from harness.engine.progress import Progress
from harness.engine.request import RunRequest
from harness.engine.session import LoadSession, SessionSpec
from harness.engine.stopping import EngineStops
from harness.executors.base import LOCAL
from harness.plan.model import Plan
from harness.results.model import RunResult
from harness.samplers.collector import SampleCollector

START_DELAY_S = 0.2


def run_local(
    request: RunRequest,
    *,
    plan: Plan,
    behaviours: BehaviourSet,
    credentials: list[AgentCredential],
    collector: SampleCollector,
    progress: Progress,
    stops: EngineStops,
) -> RunResult:
    data = load_data_sets(plan.data)  # before the clock starts: a bad file fails here (exit 2)
    environment = Environment(events=Events(), host=request.target)
    start_s = time.monotonic() + START_DELAY_S
    holder: dict[str, RunController] = {}
    session = LoadSession(
        SessionSpec(plan=plan, target=request.target, worker=LOCAL, credentials=tuple(credentials), start_at_s=start_s,
                    data=data),
        environment=environment,
        behaviours=behaviours,
        on_windows=lambda windows, closed: holder["c"].on_windows(windows, producer="local", closed_through=closed),
        warn=lambda message: holder["c"].warn(message),
    )
    controller = holder["c"] = RunController(
        request=request, plan=plan, producers=1, progress=progress, collector=collector,
        stop_all=session.stop, run_start_s=start_s, time_trends=behaviours.time_trends,
    )
    try:
        with stops.load(controller.interrupt):  # SIGINT, SIGTERM, the parent's end
            progress.start()
            controller.start_sampling()
            session.run()
            if session.data_failure is not None:  # onExhausted: fail
                raise session.data_failure
            controller.end_load()
            controller.after_load(behaviours.after_load)
    finally:
        controller.stop_sampling()
        progress.stop()
    return controller.build(cpu=[session.cpu.reading()], workers=1)
