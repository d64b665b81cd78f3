"""`bwperf run PLAN`: validate the plan, pick or start the target, run the engine process.

The engine runs in a child process (`python -m harness.engine.main`) so that Locust's gevent
monkey-patching never touches this process, which may be running the embedded stack. Ctrl-C or
SIGTERM here is forwarded to it as a stop request; it stops the load, writes a result marked
incomplete and exits 130; the report is then written from that result. It dies with this process.
"""

from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from harness.engine import system_processes
from harness.errors import (
    EXIT_ENGINE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SCRIPT_ERROR,
    EXIT_THRESHOLDS_FAILED,
    BwperfError,
    InputError,
    TargetError,
    exit_code_for,
)
from harness.results.verdict import run_verdict
from harness.engine.request import RunRequest
from harness.engine.target import check_sampled_url, check_target
from harness.goals.hook import judge_run, mark_unjudged
from harness.lifeline import child_env
from harness.live import check_metrics_address
from harness.live.names import DEFAULT_HOST as DEFAULT_METRICS_HOST
from harness.live.names import DEFAULT_LINGER_S as DEFAULT_METRICS_LINGER_S
from harness.live.names import MAX_LINGER_S as MAX_METRICS_LINGER_S
from harness.plan.load import load_plan
from harness.plan.model import Plan
from harness.report.hook import write_run_report

DEFAULT_MASTER_PORT = 5557
EMBEDDED_SEED_PROBLEMS = 2000
EMBEDDED_SEED_MISSIONS = 5000


def new_run_id(plan_path: Path) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{plan_path.stem}-{secrets.token_hex(2)}"


def run_command(
    plan: Annotated[Path | None, typer.Argument(help="plan file (YAML or JSON, k6 option names)")] = None,
    target: Annotated[str | None, typer.Option(help="base URL of the API; without it the embedded stack is started")] = None,
    profile: Annotated[str, typer.Option(help="duration profile: smoke, ci, full (or one the plan defines)")] = "full",
    workers: Annotated[int, typer.Option(min=0, help="local worker processes (0: run in one process)")] = 0,
    out: Annotated[Path, typer.Option(help="results land in OUT/<run-id>/")] = Path("reports"),
    agents: Annotated[int | None, typer.Option(min=0, help="agent credential pool size (default: plan's setup.agents)")] = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis to sample with INFO")] = None,
    metrics_url: Annotated[list[str] | None, typer.Option(help="extra Prometheus /metrics URL to sample (repeatable)")] = None,
    sample_interval: Annotated[float | None, typer.Option(min=0.1, help="seconds between samples (default: plan's sampling.interval, 5 s)")] = None,
    allow_remote_target: Annotated[bool, typer.Option(help="allow a target that is not on this machine (staging)")] = False,
    expect_workers: Annotated[int, typer.Option(min=0, help="also wait for this many remote workers")] = 0,
    master_bind_host: Annotated[str, typer.Option(help="address the master listens on for workers")] = "127.0.0.1",
    master_port: Annotated[int | None, typer.Option(help=f"master port for workers (default {DEFAULT_MASTER_PORT} with --expect-workers or --worker, else a free port)")] = None,
    worker: Annotated[bool, typer.Option("--worker", help="run as a worker of a master elsewhere")] = False,
    master_host: Annotated[str, typer.Option(help="with --worker: the master's address")] = "127.0.0.1",
    quiet: Annotated[bool, typer.Option(help="no live progress")] = False,
    system_pid: Annotated[list[int] | None, typer.Option("--system-pid", help="a process of the system under test on this host, for the measurement-health accounting (repeatable; default: found from the target)")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="serve live Prometheus metrics on this port while the run lasts (the master's merged view with --workers); see docs/live-metrics.md")] = None,
    metrics_host: Annotated[str, typer.Option(help="address the live metrics listen on (loopback unless --metrics-expose)")] = DEFAULT_METRICS_HOST,
    metrics_expose: Annotated[bool, typer.Option("--metrics-expose", help="allow a non-loopback --metrics-host (reachable from other machines)")] = False,
    metrics_linger: Annotated[float, typer.Option(help=f"seconds to keep serving after the load, until Prometheus has scraped the final state (at most; 0 to stop at once; max {MAX_METRICS_LINGER_S:g})")] = DEFAULT_METRICS_LINGER_S,
) -> None:
    """Run a plan: k6 executors on Locust, exact percentiles, thresholds.

    Exit codes: 0 ok; 99 thresholds or stress goals failed (k6's code); 2 bad input, unreachable or refused target,
    failed setup; 3 engine failure; 5 every iteration of a scenario raised (a broken behaviour); 130 interrupted by Ctrl-C or SIGTERM (the load stops within 2 s; a result
    marked incomplete, its summary and report are written).
    """
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
    try:
        if worker:
            if metrics_port is not None:
                raise InputError("--metrics-port is served by the master, which merges every worker; a --worker has none")
            code = _run_worker(master_host=master_host, master_port=master_port or DEFAULT_MASTER_PORT)
        else:
            if plan is None:
                raise InputError("a PLAN file is required (or --worker to serve a master)")
            options = RunOptions(plan=plan, target=target, profile=profile, workers=workers, out=out, agents=agents,
                                 redis_url=redis_url, metrics_urls=tuple(metrics_url or ()), allow_remote=allow_remote_target,
                                 sample_interval_s=sample_interval, expect_workers=expect_workers,
                                 master_bind_host=master_bind_host, master_port=master_port, quiet=quiet,
                                 system_pids=tuple(system_pid or ()), metrics_port=metrics_port,
                                 metrics_host=metrics_host, metrics_expose=metrics_expose,
                                 metrics_linger_s=metrics_linger)
            code = execute_run(options, console=console).code
    except BwperfError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(exit_code_for(error)) from None
    raise typer.Exit(code)


@dataclass(frozen=True)
class RunOptions:
    """Everything `bwperf run PLAN` takes (and `bwperf gate` hands on), its defaults included."""

    plan: Path
    target: str | None = None
    profile: str = "full"
    workers: int = 0
    out: Path = Path("reports")
    agents: int | None = None
    redis_url: str | None = None
    metrics_urls: tuple[str, ...] = ()
    allow_remote: bool = False
    sample_interval_s: float | None = None
    expect_workers: int = 0
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None
    quiet: bool = False
    system_pids: tuple[int, ...] = ()
    metrics_port: int | None = None  # live Prometheus metrics (harness.live); None: not served
    metrics_host: str = DEFAULT_METRICS_HOST
    metrics_expose: bool = False
    metrics_linger_s: float = DEFAULT_METRICS_LINGER_S

    def check_metrics(self) -> None:
        """The live metrics' options (InputError, one line), before any server starts."""
        if self.metrics_port is None:
            return
        if not 0 <= self.metrics_linger_s <= MAX_METRICS_LINGER_S:
            raise InputError(f"--metrics-linger must be 0-{MAX_METRICS_LINGER_S:g} seconds, but is {self.metrics_linger_s:g}")
        check_metrics_address(host=self.metrics_host, port=self.metrics_port, expose=self.metrics_expose)


@dataclass(frozen=True)
class RunOutcome:
    code: int
    run_dir: Path  # OUT/<run-id>; holds result.json unless the run failed before writing one


def execute_run(options: RunOptions, *, console: Console) -> RunOutcome:
    """Start the target if needed, run the engine process, judge goals, write the report."""
    loaded = load_plan(options.plan).with_profile(options.profile)  # fail fast, before any server starts
    options.check_metrics()
    stack_env = dict(loaded.stack_env)
    run_id = new_run_id(options.plan)
    run_dir = options.out / run_id
    target, redis_url, metrics_urls = options.target, options.redis_url, list(options.metrics_urls)
    with ExitStack() as stack:
        if target is None:
            running = stack.enter_context(_embedded_stack(console, env=stack_env, seed=loaded.seed_sizes()))
            target, redis_url = running.api_url, redis_url or running.redis_url
            metrics_urls = [u for u in running.metrics_urls if u.rstrip("/") != f"{target}/metrics"] + metrics_urls
            system = system_processes.embedded(running.pids())
        else:
            check_target(target, allow_remote=options.allow_remote)
            if stack_env:
                console.print(f"note: the plan's stack.env ({', '.join(stack_env)}) applies only to the embedded stack; "
                              "the --target is used as it is", highlight=False)
            system = system_processes.for_target(target)
        if options.system_pids:
            system = system_processes.given(options.system_pids)
        for url in [*metrics_urls, *([redis_url] if redis_url else [])]:
            check_sampled_url(url, allow_remote=options.allow_remote)
        request = RunRequest(
            plan_path=str(options.plan), profile=options.profile, target=target.rstrip("/"), out_dir=str(options.out),
            run_id=run_id, workers=options.workers, expect_remote_workers=options.expect_workers,
            master_bind_host=options.master_bind_host,
            master_port=_master_port(options.master_port, expect_workers=options.expect_workers),
            agents=options.agents, redis_url=redis_url, metrics_urls=metrics_urls,
            sample_interval_s=options.sample_interval_s, quiet=options.quiet,
            system_pids=list(system.pids), system_description=system.description,
            system_on_this_host=system.on_this_host, metrics_port=options.metrics_port,
            metrics_host=options.metrics_host, metrics_linger_s=options.metrics_linger_s,
        )
        code = _child([sys.executable, "-m", "harness.engine.main"], stdin_text=request.model_dump_json())
    code = judge_goals(loaded, run_dir, code=code, console=console)
    write_run_report(run_dir, console=console)  # the report of the saved result (none if nothing was saved)
    return RunOutcome(code=code, run_dir=run_dir)


# The engine's codes that carry the run's verdict (any other code is an error, kept as it is).
VERDICT_CODES = (EXIT_OK, EXIT_THRESHOLDS_FAILED, EXIT_INTERRUPTED, EXIT_SCRIPT_ERROR)


def judge_goals(plan: Plan, run_dir: Path, *, code: int, console: Console) -> int:
    """The plan's `goals:` judged into the saved `result.json` (rewritten atomically, before the
    report is written from it); the exit code is then the result's verdict (`run_verdict`): a
    failed goal exits 99, as a failed threshold does; a run that stopped early keeps 130. Goals
    that cannot be judged are printed and marked unjudged in the result, which then exits 3
    (never a pass)."""
    if not plan.goals:
        return code
    try:
        result = judge_run(run_dir, plan.goals)
    except (BwperfError, OSError, ValueError) as error:
        console.print(f"[red]goals not judged:[/red] {error}", highlight=False)
        try:
            mark_unjudged(run_dir, f"judging failed ({error})")
        except (BwperfError, OSError, ValueError):
            pass  # the message above says it; the exit code below keeps it from reading as a pass
        return code if code != EXIT_OK else EXIT_ENGINE
    if result is None or code not in VERDICT_CODES:
        return code
    return run_verdict(result).exit_code


def _master_port(port: int | None, *, expect_workers: int) -> int:
    """The given port; Locust's default when remote workers must find it; else a free one."""
    if port is not None:
        return port
    if expect_workers:
        return DEFAULT_MASTER_PORT
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _embedded_stack(console: Console, *, env: dict[str, str], seed: tuple[int, int] | None = None):  # noqa: ANN202 - the stack's own context manager
    try:
        from harness.stack import StackError, start_stack
    except ImportError as error:
        raise TargetError(f"no --target given and the embedded stack is not available ({error})") from error
    console.print("no --target: starting the embedded stack (PostgreSQL, Valkey, API, worker) ...")
    if env:
        console.print("  with the plan's stack.env: " + ", ".join(f"{k}={v}" for k, v in env.items()), highlight=False)
    problems, missions = seed or (EMBEDDED_SEED_PROBLEMS, EMBEDDED_SEED_MISSIONS)
    if seed:
        console.print(f"  with the plan's stack.seed: {problems} problems, {missions} missions", highlight=False)
    try:
        stack = start_stack(api_port=None, rate_limit_profile="loadtest", extra_env=env,
                            seed_problems=problems, seed_missions=missions, fresh_queue=True)
    except StackError as error:
        raise TargetError(f"no --target given and the embedded stack failed to start: {error}") from error
    if stack.dropped_stale_keys:
        console.print(f"  the embedded broker started empty ({stack.dropped_stale_keys} keys of earlier runs dropped)",
                      highlight=False)
    return stack


def _run_worker(*, master_host: str, master_port: int) -> int:
    return _child([sys.executable, "-m", "harness.engine.worker_main", "--master-host", master_host,
                   "--master-port", str(master_port)], stdin_text=None)


def _child(command: list[str], *, stdin_text: str | None) -> int:
    """Run the engine process (or a worker) to its end; its exit code, or 128 + the signal that ended it.

    It runs in a session of its own, tied to this process (harness.lifeline: it dies with us, even
    if we are killed with -9). A SIGINT (Ctrl-C) or SIGTERM sent to us is forwarded to it as a stop
    request: it stops the load, writes a result marked incomplete and exits 130; if it has not
    exited STOP_WAIT_S later, or at a second signal, it is killed."""
    stops = _StopForwarder()
    with stops.installed():  # before the start: a signal that comes at once is forwarded too
        process = subprocess.Popen(command, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                                   env=child_env(), start_new_session=True)
        if stdin_text is not None and process.stdin is not None:
            try:
                process.stdin.write(stdin_text.encode())
                process.stdin.close()
            except BrokenPipeError:
                pass  # it exited at once; its code says why
        code = stops.wait(process)
    # A child killed by a signal has a negative code; the shell's convention is 128 + signal,
    # which is what we document, not what typer makes of a negative code.
    return 128 - code if code < 0 else code


STOP_WAIT_S = 10.0  # from a forwarded stop to the kill: the engine's partial result takes ~1 s
_POLL_S = 0.05


class _StopForwarder:
    """Records SIGINT and SIGTERM while a child runs; `wait` forwards them (never the handler)."""

    def __init__(self) -> None:
        self.received: list[int] = []

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._record) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)

    def wait(self, process: subprocess.Popen[bytes]) -> int:
        forwarded, kill_at = 0, float("inf")
        while True:
            try:
                return process.wait(timeout=_POLL_S)
            except subprocess.TimeoutExpired:
                pass
            while forwarded < len(self.received):
                forwarded += 1
                if forwarded == 1:
                    process.send_signal(self.received[0])  # the engine's stop request
                    kill_at = time.monotonic() + STOP_WAIT_S
                else:
                    kill_at = 0.0  # asked twice: stop now
            if time.monotonic() >= kill_at:
                process.kill()
