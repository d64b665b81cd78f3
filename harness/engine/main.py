"""The engine process: `python -m harness.engine.main` reads a `RunRequest` (JSON) on stdin,
runs it (locally, or as the master of worker processes), writes the result and the k6 summary
export into `<out_dir>/<run_id>/`, and exits 0, 99 (thresholds failed), 130 (interrupted), or the
error's code. `bwperf run` starts it, so that gevent's monkey-patching stays in this process.
It dies with `bwperf run` (harness.lifeline) and stops on SIGINT or SIGTERM (harness.engine.stopping).
"""

from __future__ import annotations

import locust  # noqa: F401, I001 - first: Locust monkey-patches the process with gevent on import

import gc
import logging
import os
import signal
import sys
from pathlib import Path

from rich.console import Console

from harness.credentials import AGENT_KEYS_ENV, agent_pool
from harness.engine.behaviours import load_behaviours
from harness.results.verdict import run_verdict
from harness.errors import EXIT_INTERRUPTED, BwperfError, exit_code_for
from harness.engine.hooks import RUN_DIR_ENV
from harness.engine.progress import Progress
from harness.engine.request import RunRequest
from harness.engine.stopping import EngineStops
from harness.engine.summary import print_summary
from harness.lifeline import die_with_parent, expected_parent
from harness.plan.load import check_custom_metrics, load_plan
from harness.plan.model import Plan
from harness.results.io import RESULT_FILE_NAME, save_result
from harness.results.k6_summary import write_k6_summary
from harness.results.model import GoalsVerdict, RunResult
from harness.samplers.collector import SampleCollector

SUMMARY_EXPORT_FILE_NAME = "summary-export.json"
GOALS_PENDING = "judged after the run, once the engine has exited"


def make_collector(request: RunRequest, plan: Plan) -> SampleCollector:
    urls = [request.target.rstrip("/") + "/metrics", *request.metrics_urls]
    return SampleCollector(
        prometheus_urls=urls,
        redis_url=request.redis_url,
        interval_s=request.sample_interval_s or plan.sample_interval_s,
    )


def execute(request: RunRequest, *, console: Console, stops: EngineStops | None = None) -> int:
    # Where behaviours may write run files (ledgers); local worker processes inherit it.
    os.environ[RUN_DIR_ENV] = str((Path(request.out_dir) / request.run_id).resolve())
    plan = load_plan(request.plan_path).with_profile(request.profile)
    behaviours = load_behaviours(plan)
    check_custom_metrics(plan, behaviours.metrics)
    agents = request.agents if request.agents is not None else plan.agents
    credentials = agent_pool(target=request.target, size=agents, run_tag=request.run_id[-6:], env=os.environ)
    if credentials and not request.quiet:
        given = bool(os.environ.get(AGENT_KEYS_ENV))
        console.print(f"setup: {'using' if given else 'registered'} {len(credentials)} agents"
                      f"{f' from {AGENT_KEYS_ENV}' if given else ''}")
    progress = Progress(scenarios=list(plan.scenarios), duration_s=plan.duration_s, quiet=request.quiet, console=console)
    collector = make_collector(request, plan)
    # Everything loaded so far (modules, plan, behaviours) lives for the whole run: frozen, the
    # cyclic GC stops rescanning it on every full collection during the load.
    gc.freeze()
    stops = stops or EngineStops()
    if request.workers or request.expect_remote_workers:
        from harness.engine.distributed import run_master

        result = run_master(request, plan=plan, behaviours=behaviours, credentials=credentials,
                            collector=collector, progress=progress, stops=stops)
    else:
        from harness.engine.local import run_local

        result = run_local(request, plan=plan, behaviours=behaviours, credentials=credentials,
                           collector=collector, progress=progress, stops=stops)
    return write_outputs(request, result, console=console, has_goals=bool(plan.goals))


def write_outputs(request: RunRequest, result: RunResult, *, console: Console, has_goals: bool = False) -> int:
    """Save the result and its k6 summary export; the exit code of the thresholds and the stop (99 a
    threshold failed, 130 stopped early, 5 every iteration of a scenario raised, else 0). A plan's goals are judged after this process
    exits: until then the saved result says they are pending, so no reader takes it for a PASS."""
    run_dir = Path(request.out_dir) / request.run_id
    code = run_verdict(result).exit_code
    if has_goals:
        result = result.model_copy(update={"goals": GoalsVerdict(outcomes=[], pending=GOALS_PENDING)})
    path = save_result(result, run_dir / RESULT_FILE_NAME)
    write_k6_summary(result, run_dir / SUMMARY_EXPORT_FILE_NAME)
    print_summary(result, result_path=path, console=console)
    return code


def main() -> int:
    parent = expected_parent()
    if not die_with_parent(signal.SIGTERM, expected=parent):
        return EXIT_INTERRUPTED  # bwperf run ended before we started: no load without an owner
    stops = EngineStops()
    stops.install(parent=parent)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
    try:
        request = RunRequest.model_validate_json(sys.stdin.read())
        return execute(request, console=console, stops=stops)
    except BwperfError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return exit_code_for(error)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
