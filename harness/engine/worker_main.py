"""A worker process: `python -m harness.engine.worker_main --master-host H --master-port P`
(or `bwperf run --worker --master-host H`). It connects to the master as a Locust WorkerRunner,
waits for `bw_start`, runs its slice of the plan found at the same path in its working
directory (the plan's sha256 must match the master's), streams windows, and exits when the
master quits. Ctrl-C is left to the master, which sends `bw_stop`; a worker dies with the process that started it (the master's, or
`bwperf run --worker`'s, even one killed with -9: harness.lifeline), and SIGTERM, or a SIGINT that
`bwperf run --worker` forwards, ends it at once (exit 130)."""

from __future__ import annotations

import locust  # noqa: F401, I001 - first: Locust monkey-patches the process with gevent on import

import argparse
import gc
import logging
import os
import signal
import sys
import time
import traceback

import gevent
from locust.env import Environment
from locust.event import Events
from locust.runners import WorkerRunner

from harness.credentials import AgentCredential
from harness.data import load_data_sets
from harness.engine import protocol
from harness.engine.behaviours import load_behaviours
from harness.errors import EXIT_INTERRUPTED, BwperfError
from harness.lifeline import die_with_parent, expected_parent, watch_parent
from harness.engine.session import LoadSession, SessionSpec
from harness.executors.base import WorkerSlice
from harness.metrics.window import Window
from harness.plan.load import load_plan

logger = logging.getLogger(__name__)


class Worker:
    def __init__(self, runner: WorkerRunner, environment: Environment) -> None:
        self.runner = runner
        self.environment = environment
        self.session: LoadSession | None = None

    def send(self, message_type: str, data: dict) -> None:
        self.runner.send_message(message_type, data)

    def on_start(self, environment: Environment, msg: object, **_: object) -> None:
        gevent.spawn(self._run, msg.data)  # type: ignore[attr-defined]

    def on_stop(self, environment: Environment, msg: object, **_: object) -> None:
        if self.session is not None:
            self.session.stop()

    def _run(self, data: dict) -> None:
        try:
            self._run_session(data)
        except BwperfError as error:  # exit_code: so the master can end with the worker's code (2 for input)
            self.send(protocol.FAILED, {"message": str(error), "exit_code": error.exit_code})
        except Exception as error:  # report anything to the master rather than dying silently
            logger.error("worker failed:\n%s", traceback.format_exc())
            self.send(protocol.FAILED, {"message": repr(error)})

    def _run_session(self, data: dict) -> None:
        plan = load_plan(data["plan_path"])
        if plan.sha256 != data["plan_sha256"]:
            raise BwperfError(f"the plan {data['plan_path']} on this worker differs from the master's")
        plan = plan.with_profile(data["profile"])
        behaviours = load_behaviours(plan)
        start_at_s = time.monotonic() + (float(data["start_at_unix"]) - time.time())
        worker = WorkerSlice(index=int(data["worker_index"]), count=int(data["worker_count"]))
        credentials = tuple(AgentCredential.from_wire(c) for c in data["credentials"])
        data_sets = load_data_sets(plan.data, worker_index=worker.index, worker_count=worker.count)

        def on_windows(windows: list[Window], closed_through: int) -> None:
            self.send(protocol.WINDOWS, {"windows": [w.to_wire() for w in windows], "closed_through": closed_through})

        self.session = LoadSession(
            SessionSpec(plan=plan, target=data["target"], worker=worker, credentials=credentials, start_at_s=start_at_s,
                        data=data_sets),
            # The VUs fire their requests into an environment of their own: the WorkerRunner's (for
            # messages only) has Locust's stats listener, which would log every request a second time
            # (about a fifth of a worker's CPU per request, measured against the local engine).
            environment=Environment(events=Events(), host=data["target"]), behaviours=behaviours, on_windows=on_windows,
            warn=lambda message: self.send(protocol.WARNING, {"message": message}),
            role=f"worker {worker.index}",
        )
        gc.freeze()  # what lives for the whole run (modules, plan, data): out of the collector's way, as in main
        self.session.run()
        if self.session.data_failure is not None:  # onExhausted: fail; the master ends the run with it
            raise self.session.data_failure
        reading = self.session.cpu.reading()
        self.send(protocol.DONE, {"cpu": {"role": reading.role, "pid": reading.pid, "avg": reading.avg_percent,
                                          "max": reading.max_percent}})


def _exit_now(*_: object) -> None:
    os._exit(EXIT_INTERRUPTED)  # the master is gone, or we were told to stop: nothing of ours to save


def main(argv: list[str] | None = None) -> int:
    parent = expected_parent()
    if not die_with_parent(signal.SIGKILL, expected=parent):
        return EXIT_INTERRUPTED
    if parent is not None:
        watch_parent(_exit_now, expected=parent)
    parser = argparse.ArgumentParser(prog="harness.engine.worker_main")
    parser.add_argument("--master-host", default="127.0.0.1")
    parser.add_argument("--master-port", type=int, default=5557)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s worker: %(message)s")
    for sig in (signal.SIGINT, signal.SIGTERM):  # a local worker gets neither from a terminal: the
        signal.signal(sig, _exit_now)           # master runs in a session of its own (bwperf run)
    environment = Environment(events=Events())
    runner = environment.create_worker_runner(args.master_host, args.master_port)
    worker = Worker(runner, environment)
    runner.register_message(protocol.START, worker.on_start)
    runner.register_message(protocol.STOP, worker.on_stop)
    runner.greenlet.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
