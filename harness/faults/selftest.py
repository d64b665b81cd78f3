"""`bwperf selftest`: run the fault scenarios against an embedded stack and print what survived.

The stack (PostgreSQL, Valkey, then the API, workers and LLM emulator as each scenario needs
them) lives in its own temporary home and is gone afterwards. The same scenario functions run in
the pytest fault suite (tests/reliability), which asserts on the same figures.

Exit codes: 0 every figure met its goal; 1 a figure missed its goal or a scenario failed to run;
2 unknown scenario name; 130 interrupted.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from harness.errors import EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK

from .api_sigterm import run_api_sigterm
from .db_freeze import run_db_freeze
from .db_outage import DbOutageResult, run_db_outage
from .lab import FaultLab
from .redis_down import run_redis_down
from .results import FaultResult
from .valkey_restart import ValkeyRestartResult, run_valkey_restart
from .worker_kill import WorkerKillResult, run_worker_kill


# Name on the command line -> scenario. Order: the quick ones first.
SCENARIOS: dict[str, Callable[[FaultLab], FaultResult]] = {
    "redis-down": run_redis_down,
    "db-freeze": run_db_freeze,
    "db-outage": run_db_outage,
    "api-sigterm": run_api_sigterm,
    "worker-kill": run_worker_kill,
    "valkey-restart": run_valkey_restart,
}


@dataclass(frozen=True)
class ScenarioRun:
    name: str
    result: FaultResult | None
    error: str | None
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


def run_scenarios(lab: FaultLab, names: list[str], *, on_done: Callable[[ScenarioRun], None] | None = None,
                  ) -> list[ScenarioRun]:
    """Run `names` in order on `lab`; a scenario that raises is recorded as failed, not fatal."""
    runs = []
    for name in names:
        started = time.monotonic()
        try:
            result, error = SCENARIOS[name](lab), None
        except Exception as exc:  # noqa: BLE001 - reported as a failed scenario with its traceback
            result, error = None, "".join(traceback.format_exception_only(exc)).strip()
            lab.ensure_servers_running()
        run = ScenarioRun(name, result, error, round(time.monotonic() - started, 1))
        runs.append(run)
        if on_done is not None:
            on_done(run)
    return runs


def exit_code(runs: list[ScenarioRun]) -> int:
    return EXIT_OK if runs and all(run.ok for run in runs) else EXIT_CHECK_FAILED


def scenario_table(run: ScenarioRun) -> Table:
    status = "ok" if run.ok else "FAILED"
    table = Table(title=f"{run.name}: {run.result.name if run.result else 'did not run'} "
                        f"({run.duration_s:g} s) {status}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal")
    table.add_column("")
    if run.result is None:
        table.add_row("error", run.error or "", "", "FAILED")
        return table
    for figure in run.result.figures():
        mark = "" if figure.ok is None else ("ok" if figure.ok else "FAILED")
        table.add_row(figure.name, figure.shown(), figure.goal, mark)
    return table


def totals(runs: list[ScenarioRun]) -> list[tuple[str, str]]:
    """The headline figures across scenarios, as (label, value) rows."""
    results = [run.result for run in runs if run.result is not None]
    rows = [
        ("requests tried", str(sum(r.requests_tried for r in results))),
        ("faults injected", str(sum(r.faults_injected for r in results))),
    ]
    kills = [r for r in results if isinstance(r, WorkerKillResult)]
    restarts = [r for r in results if isinstance(r, ValkeyRestartResult)]
    outages = [r for r in results if isinstance(r, DbOutageResult)]
    if kills or restarts:
        rows.append(("jobs lost", str(sum(r.jobs_lost for r in kills) + sum(r.jobs_lost for r in restarts))))
        rows.append(("duplicate effects",
                     str(sum(r.duplicate_effects for r in kills) + sum(r.duplicate_effects for r in restarts))))
    for r in outages:
        rows.append(("DB outage: max latency of a request", f"{r.max_latency_during_outage_s:.3f} s"))
        rows.append(("DB outage: recovered after the database returned",
                     "never" if r.recovery_s is None else f"{r.recovery_s:.3f} s"))
    for r in restarts:
        rows.append(("Valkey restart: jobs lost", str(r.jobs_lost)))
    for r in kills:
        rows.append(("worker kill: jobs reclaimed", f"{r.jobs_reclaimed} of {r.in_flight_at_kill} in flight"))
        rows.append(("worker kill: duplicate effects", str(r.duplicate_effects)))
    return rows


def selftest_command(
    only: Annotated[list[str] | None, typer.Option(help=f"run only this scenario (repeatable): {', '.join(SCENARIOS)}")] = None,
    home: Annotated[Path | None, typer.Option(help="folder for the stack (default: a temporary one, removed after)")] = None,
) -> None:
    """Provoke the platform with faults (worker kill, Valkey crash, DB outage and freeze, SIGTERM, Redis
    down) on an embedded stack and print the figures; exit 1 if any misses its goal."""
    console = Console(width=None if Console().is_terminal else 120)
    names = list(only or SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        console.print(f"[red]error:[/red] unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        raise typer.Exit(EXIT_INPUT)
    workdir = home.resolve() if home else Path(tempfile.mkdtemp(prefix="bwperf-selftest-"))
    runs: list[ScenarioRun] = []
    try:
        console.print(f"selftest: starting PostgreSQL and Valkey in {workdir} ...")
        with FaultLab.start(workdir) as lab:
            runs = run_scenarios(lab, names, on_done=lambda run: console.print(scenario_table(run)))
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if home is None:
            shutil.rmtree(workdir, ignore_errors=True)
    summary = Table(title="selftest summary", title_justify="left", show_header=False)
    for label, value in totals(runs):
        summary.add_row(label, value)
    console.print(summary)
    code = exit_code(runs)
    failed = [run.name for run in runs if not run.ok]
    console.print("[green]all figures met their goals[/green]" if code == EXIT_OK
                  else f"[red]failed: {', '.join(failed)}[/red]")
    raise typer.Exit(code)
