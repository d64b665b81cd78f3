"""A distributed run: a Locust MasterRunner and N WorkerRunner processes.

Each worker runs its slice of every scenario (worker k of N takes the iterations and VUs whose
global index i has i % N == k, see `WorkerSlice`), so the merged schedule is the one-process
schedule. Workers send their closed windows (histograms encoded) as custom messages; the master
adds them into one `Aggregator`, where histograms merge exactly.
"""

from __future__ import annotations

import subprocess
import sys
import time

import gevent
from gevent.event import Event
from locust.env import Environment
from locust.event import Events
from locust.exception import RPCError

from harness.credentials import AgentCredential
from harness.engine import protocol
from harness.engine.behaviours import BehaviourSet
from harness.engine.controller import RunController
from harness.errors import EXIT_INPUT, EngineError, InputError
from harness.health.generator import CpuReading
from harness.engine.progress import Progress
from harness.engine.request import RunRequest
from harness.engine.session import HARD_DEADLINE_MARGIN_S, CpuSampler
from harness.engine.stopping import EngineStops
from harness.lifeline import child_env
from harness.metrics.window import Window
from harness.plan.model import Plan
from harness.results.model import RunResult
from harness.samplers.collector import SampleCollector

WORKER_JOIN_TIMEOUT_S = 60.0
START_DELAY_S = 1.0
WORKER_EXIT_TIMEOUT_S = 15.0


class _Master:
    def __init__(self, request: RunRequest, plan: Plan, progress: Progress) -> None:
        self.request = request
        self.plan = plan
        self.progress = progress
        self.environment = Environment(events=Events(), host=request.target)
        try:
            self.runner = self.environment.create_master_runner(
                master_bind_host=request.master_bind_host, master_bind_port=request.master_port
            )
        except RPCError as error:
            raise EngineError(f"the master cannot listen on {request.master_bind_host}:{request.master_port} "
                              f"({error}); choose another --master-port") from error
        self.workers_total = request.workers + request.expect_remote_workers
        self.processes: list[subprocess.Popen[bytes]] = []
        self.done: dict[str, CpuReading] = {}
        self.all_done = Event()
        self.controller: RunController | None = None
        self.failures: list[str] = []
        self.input_failures: list[str] = []  # a worker's bad input (e.g. data rows run out): the run exits 2

    def spawn_local_workers(self) -> None:
        command = [sys.executable, "-m", "harness.engine.worker_main", "--master-host", "127.0.0.1",
                   "--master-port", str(self.request.master_port)]
        for _ in range(self.request.workers):
            # child_env: each worker dies with this master, even one killed with -9 (worker_main)
            self.processes.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, env=child_env()))

    def wait_for_workers(self) -> list[str]:
        deadline = time.monotonic() + WORKER_JOIN_TIMEOUT_S
        while len(self.runner.clients.ready) < self.workers_total:
            if time.monotonic() > deadline:
                raise EngineError(f"only {len(self.runner.clients.ready)} of {self.workers_total} workers "
                                  f"connected to the master on port {self.request.master_port} in "
                                  f"{WORKER_JOIN_TIMEOUT_S:.0f}s")
            if any(p.poll() is not None for p in self.processes):
                raise EngineError("a local worker process exited before connecting to the master")
            gevent.sleep(0.1)
        return sorted(client.id for client in self.runner.clients.ready)[: self.workers_total]

    def broadcast(self, message_type: str, data: dict, worker_ids: list[str]) -> None:
        for worker_id in worker_ids:
            self.runner.send_message(message_type, data, client_id=worker_id)

    def register(self, controller: RunController) -> None:
        self.controller = controller

        def on_windows(environment: Environment, msg: object, **_: object) -> None:
            windows = [Window.from_wire(w) for w in msg.data["windows"]]  # type: ignore[attr-defined]
            controller.on_windows(windows, producer=msg.node_id, closed_through=int(msg.data["closed_through"]))  # type: ignore[attr-defined]

        def on_done(environment: Environment, msg: object, **_: object) -> None:
            cpu = msg.data["cpu"]  # type: ignore[attr-defined]
            self.done[msg.node_id] = CpuReading(cpu["role"], int(cpu["pid"]), float(cpu["avg"]), float(cpu["max"]))  # type: ignore[attr-defined]
            if len(self.done) >= self.workers_total:
                self.all_done.set()

        def on_warning(environment: Environment, msg: object, **_: object) -> None:
            controller.warn(str(msg.data["message"]))  # type: ignore[attr-defined]

        def on_failed(environment: Environment, msg: object, **_: object) -> None:
            text = f"worker {msg.node_id} failed: {msg.data['message']}"  # type: ignore[attr-defined]
            self.failures.append(text)
            if msg.data.get("exit_code") == EXIT_INPUT:  # type: ignore[attr-defined]
                self.input_failures.append(text)
            controller.interrupt(text)
            self.all_done.set()

        self.runner.register_message(protocol.WINDOWS, on_windows)
        self.runner.register_message(protocol.DONE, on_done)
        self.runner.register_message(protocol.WARNING, on_warning)
        self.runner.register_message(protocol.FAILED, on_failed)

    def shut_down(self) -> None:
        self.runner.quit()
        deadline = time.monotonic() + WORKER_EXIT_TIMEOUT_S
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.terminate()
                process.wait(timeout=5)


def run_master(
    request: RunRequest,
    *,
    plan: Plan,
    behaviours: BehaviourSet,
    credentials: list[AgentCredential],
    collector: SampleCollector,
    progress: Progress,
    stops: EngineStops,
) -> RunResult:
    master = _Master(request, plan, progress)
    try:
        master.spawn_local_workers()
        worker_ids = master.wait_for_workers()
        progress.message(f"master: {len(worker_ids)} workers connected")
        start_at_unix = time.time() + START_DELAY_S
        run_start_s = time.monotonic() + START_DELAY_S
        controller = RunController(
            request=request, plan=plan, producers=len(worker_ids), progress=progress, collector=collector,
            stop_all=lambda: master.broadcast(protocol.STOP, {"reason": "stop"}, worker_ids),
            run_start_s=run_start_s, time_trends=behaviours.time_trends,
        )
        master.register(controller)
        for process in master.processes:
            controller.generator_processes.add("worker", process.pid)
        cpu = CpuSampler("master")
        data = {
            "plan_path": request.plan_path, "plan_sha256": plan.sha256, "profile": plan.profile,
            "target": request.target, "worker_count": len(worker_ids), "start_at_unix": start_at_unix,
            "credentials": [c.to_wire() for c in credentials],
        }
        for index, worker_id in enumerate(worker_ids):
            master.runner.send_message(protocol.START, {**data, "worker_index": index}, client_id=worker_id)
        try:
            with stops.load(controller.interrupt):  # SIGINT, SIGTERM, the parent's end
                progress.start()
                controller.start_sampling()
                _wait_for_workers_done(master, controller, cpu,
                                       deadline_s=run_start_s + plan.hard_deadline_s + 2 * HARD_DEADLINE_MARGIN_S)
                if master.input_failures:  # as a local run: bad input ends the run with exit 2, not 130
                    raise InputError(master.input_failures[0])
                controller.end_load()
                controller.after_load(behaviours.after_load)
        finally:
            controller.stop_sampling()
            progress.stop()
        cpu.sample()
        readings = [cpu.reading(), *(master.done[w] for w in worker_ids if w in master.done)]
        return controller.build(cpu=readings, workers=len(worker_ids))
    finally:
        master.shut_down()


def _wait_for_workers_done(master: _Master, controller: RunController, cpu: CpuSampler, *, deadline_s: float) -> None:
    while not master.all_done.is_set():
        master.all_done.wait(timeout=1.0)
        cpu.sample()
        if time.monotonic() > deadline_s:
            missing = master.workers_total - len(master.done)
            controller.interrupt(f"{missing} worker(s) did not finish by the hard deadline")
            break
        if any(p.poll() is not None for p in master.processes) and not master.all_done.is_set():
            gevent.sleep(2.0)  # a finished worker's last messages may still be in flight
            if not master.all_done.is_set():
                controller.interrupt("a local worker process exited before finishing")
                break
