"""`bwperf up` and `bwperf seed`: the embedded stack from the command line."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console

from harness.errors import EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_INTERRUPTED

from .postgres import EmbeddedPostgres
from .processes import StackError
from .running import ALL_SERVICES, DEFAULT_HOME, RunningStack, read_state, run_app, start_stack
from .supervisor import CrashLoop, Supervisor

console = Console(stderr=True)


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM so that cleanup runs as for Ctrl-C (a BaseException,
    like KeyboardInterrupt, so that no `except Exception` on the way swallows it)."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def up(
    port: int = typer.Option(4000, help="API port on 127.0.0.1 (the seed's BASE_URL uses 4000)."),
    profile: str = typer.Option("default", help="Rate-limit profile: default (the seed's limits) or loadtest."),
    home: Path = typer.Option(DEFAULT_HOME, help="Folder for data, logs and secrets of the embedded stack."),
    services: str = typer.Option(",".join(ALL_SERVICES), help="Platform processes to start, comma-separated."),
    seed_problems: int = typer.Option(0, help="Bulk-load this many problems before starting."),
    seed_missions: int = typer.Option(0, help="Bulk-load this many missions before starting."),
) -> None:
    """Start PostgreSQL, Valkey, the API, the worker and the LLM emulator; Ctrl-C stops all."""
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        with console.status("starting the stack..."):
            stack = start_stack(home=home, api_port=port, rate_limit_profile=profile,
                                services=[s for s in services.split(",") if s],
                                seed_problems=seed_problems, seed_missions=seed_missions)
    except StackError as exc:
        console.print(f"[red]bwperf up: {exc}[/red]")
        raise typer.Exit(EXIT_INPUT) from None
    except (_Stop, KeyboardInterrupt):
        raise typer.Exit(EXIT_INTERRUPTED) from None
    with stack:
        stack.publish()
        console.print(f"[bold green]BetterWorld is up[/bold green] (rate limits: {profile})")
        console.print(f"  API        {stack.api_url}   (BASE_URL)")
        console.print(f"  OpenAPI    {stack.api_url}/api/v1/openapi.json")
        console.print(f"  metrics    {', '.join(stack.metrics_urls)}")
        console.print(f"  PostgreSQL {stack.database_url}")
        console.print(f"  Valkey     {stack.redis_url}")
        if stack.llm_base_url:
            console.print(f"  LLM emulator {stack.llm_base_url}")
        console.print(f"  logs       {stack.home / 'logs'}")
        console.print("Dead processes are restarted; Ctrl-C or SIGTERM stops everything.")
        code = _wait(stack)
    signal.signal(signal.SIGTERM, previous)
    console.print("stopped.")
    raise typer.Exit(code)


def _wait(stack: RunningStack) -> int:
    """Supervise the stack until Ctrl-C / SIGTERM (0) or a crash loop (1, stack stopped)."""
    supervisor = Supervisor.for_stack(stack, log=lambda line: console.print(f"bwperf up: {line}",
                                                                           highlight=False, markup=False))
    try:
        supervisor.run()
    except CrashLoop as exc:
        console.print(f"bwperf up: {exc}; stopping the stack", style="red", highlight=False, markup=False)
        return EXIT_CHECK_FAILED
    except (_Stop, KeyboardInterrupt):
        console.print("stopping...")
    return 0


def seed(
    problems: int = typer.Option(1000, help="Problems to bulk-load."),
    missions: int = typer.Option(5000, help="Missions to bulk-load."),
    home: Path = typer.Option(DEFAULT_HOME, help="Folder of the embedded stack."),
    random_seed: int = typer.Option(42, "--seed", help="Random seed (same seed, same rows)."),
) -> None:
    """Bulk-load problems and missions with COPY into the database `bwperf up` uses.

    That is the one named by DATABASE_URL; else that of a running `bwperf up` in HOME; else the
    embedded one in HOME, started for the load and stopped after.
    """
    if problems < 0 or missions < 0:
        console.print("[red]bwperf seed: --problems and --missions must be >= 0[/red]")
        raise typer.Exit(EXIT_INPUT)
    args = ("seed", "--problems", str(problems), "--missions", str(missions), "--seed", str(random_seed))
    state = read_state(home)
    try:
        if os.environ.get("DATABASE_URL"):
            run_app({"DATABASE_URL": os.environ["DATABASE_URL"]}, "migrate")
            run_app({"DATABASE_URL": os.environ["DATABASE_URL"]}, *args, stream=True)
        elif state is not None:
            run_app({"DATABASE_URL": state.database_url}, *args, stream=True)
        else:
            server = EmbeddedPostgres(data_dir=home.resolve() / "postgres")
            try:
                env = {"DATABASE_URL": server.start()}
                run_app(env, "migrate")
                run_app(env, *args, stream=True)
            finally:
                server.stop()
    except StackError as exc:
        console.print(f"[red]bwperf seed: {exc}[/red]")
        raise typer.Exit(EXIT_INPUT) from None
