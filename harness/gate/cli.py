"""The commands that judge runs: `bwperf compare` (a run against baselines) and `bwperf gate PLAN`
(run, compare with the history, confirm before failing; see `flow.py`).

Exit codes of both: 0 nothing regressed, 1 a regression, 2 bad input (a file missing, unreadable,
truncated or of another schema version; a bad compare.yaml; plans that differ), 4 inconclusive
(nothing regressed, but a change the measurement itself could explain: a degraded host or a
lagging generator in either run; the reasons are printed). A 4 is never a pass: CI should treat
it as "run again on a quieter machine" (`bwperf gate` does); the gate adds 99 (a run's thresholds).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from harness.errors import EXIT_INPUT, BwperfError, InputError, exit_code_for


def compare_command(
    current: Annotated[Path, typer.Option("--current", help="The run to judge.")],
    baseline: Annotated[list[Path] | None, typer.Option("--baseline", help="A baseline run (result JSON, k6 NDJSON or k6 summary export); repeat for several.")] = None,
    history: Annotated[Path | None, typer.Option("--history", help="A history folder (history.jsonl, runs/): compare with its last comparable clean runs once it holds 5.")] = None,
    last: Annotated[int, typer.Option("--last", min=1, max=100, help="With --history: how many of its newest comparable runs.")] = 10,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Relative threshold in percent (default 20, or compare.yaml's).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="compare.yaml: thresholds, floors, per-metric overrides by glob.")] = None,
    allow_plan_mismatch: Annotated[bool, typer.Option("--allow-plan-mismatch", help="Compare even when the runs' plans differ.")] = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write the Markdown report here (appended when it is $GITHUB_STEP_SUMMARY).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML here (one testcase per metric).")] = None,
) -> None:
    """Compare every metric both runs have; exit 1 on a regression, 4 when inconclusive, 2 on bad input."""
    # Imported here: `bwperf.cli` imports every command at start, and `bwperf up` needs none of this.
    from harness.baselines.runs import gather_baselines
    from harness.compare.config import CompareSettings, load_config
    from harness.compare.output import exit_code, report_console, write_reports
    from harness.compare.engine import compare_runs
    from harness.compare.loading import load_run
    from harness.compare.render_terminal import render_terminal

    try:
        settings = (load_config(config) if config is not None else CompareSettings()).with_threshold(threshold)
        current_run = load_run(current)
        selection = gather_baselines(list(baseline or []), history_dir=history, current=current_run, last=last)
        comparison = compare_runs(selection.runs, current_run, settings=settings, allow_plan_mismatch=allow_plan_mismatch,
                                  notes=selection.notes)
        write_reports(comparison, markdown=markdown, json_path=json_path, junit=junit)
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    render_terminal(comparison, console=report_console())
    raise typer.Exit(exit_code(comparison))


def gate_command(
    plan: Annotated[Path, typer.Argument(help="plan file (YAML or JSON, k6 option names)")],
    target: Annotated[str | None, typer.Option(help="base URL of the API; without it each run starts the embedded stack")] = None,
    profile: Annotated[str, typer.Option(help="duration profile of the runs")] = "ci",
    out: Annotated[Path, typer.Option(help="the runs land in OUT/<run-id>/")] = Path("reports/gate"),
    history: Annotated[Path | None, typer.Option("--history", help="history folder (history.jsonl, runs/): the baselines once it holds 5 comparable clean runs; every gate run is recorded in it")] = None,
    baseline: Annotated[list[Path] | None, typer.Option("--baseline", help="baseline run(s) to use until the history holds enough (repeatable)")] = None,
    last: Annotated[int, typer.Option("--last", min=1, max=100, help="how many of the history's newest comparable runs")] = 10,
    record: Annotated[bool, typer.Option("--record/--no-record", help="record the gate's runs in --history")] = True,
    threshold: Annotated[float | None, typer.Option("--threshold", help="relative threshold in percent (default 20)")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="compare.yaml")] = None,
    allow_plan_mismatch: Annotated[bool, typer.Option("--allow-plan-mismatch")] = False,
    allow_remote_target: Annotated[bool, typer.Option(help="allow a target that is not on this machine (staging)")] = False,
    agents: Annotated[int | None, typer.Option(min=0, help="agent credential pool size (default: the plan's)")] = None,
    workers: Annotated[int, typer.Option(min=0, help="local worker processes per run")] = 0,
    system_pid: Annotated[list[int] | None, typer.Option("--system-pid", help="a process of the system under test on this host (repeatable)")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Markdown report (appended when it is $GITHUB_STEP_SUMMARY)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="JSON report")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="JUnit XML (regressions fail, inconclusive metrics are skipped)")] = None,
    quiet: Annotated[bool, typer.Option(help="no live progress during the runs")] = False,
) -> None:
    """Run the plan, compare it with the history, and run it once more before failing.

    Exit codes (as bwperf compare's): 0 no regression; 1 a regression both runs show; 4 inconclusive (a change the measurement itself may explain); 99 a run's thresholds failed; 2 bad input; 3 engine failure; 130 interrupted.
    """
    from harness.baselines.runs import gather_baselines, record_with_result
    from harness.compare.output import report_console, write_reports
    from harness.compare.config import CompareSettings, load_config
    from harness.compare.render_terminal import render_terminal
    from harness.engine.cli import RunOptions, execute_run
    from harness.gate.flow import GateRun, run_gate

    console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
    options = RunOptions(plan=plan, target=target, profile=profile, out=out, agents=agents, workers=workers,
                         allow_remote=allow_remote_target, quiet=quiet, system_pids=tuple(system_pid or ()))

    def run_plan(number: int) -> GateRun:
        console.print(f"gate: run {number} of at most 2: {plan} (profile {profile})", highlight=False)
        outcome = execute_run(options, console=console)
        return GateRun(code=outcome.code, run_dir=outcome.run_dir)

    def recorder(result: Path) -> None:
        if history is not None and record:
            recorded = record_with_result(result, directory=history)
            console.print(f"gate: recorded {recorded.run.run_id} in {history}", highlight=False)

    try:
        settings = (load_config(config) if config is not None else CompareSettings()).with_threshold(threshold)
        outcome = run_gate(
            run_plan=run_plan,
            baselines_for=lambda current: gather_baselines(list(baseline or []), history_dir=history, current=current, last=last),
            settings=settings, record=recorder, allow_plan_mismatch=allow_plan_mismatch,
            message=lambda text: console.print(text, highlight=False),
        )
        write_reports(outcome.comparison, markdown=markdown, json_path=json_path, junit=junit)
    except BwperfError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(exit_code_for(error)) from None
    render_terminal(outcome.comparison, console=report_console())
    raise typer.Exit(outcome.exit_code)
