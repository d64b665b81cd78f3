"""The verdict printed after a run (and by `bwperf report`): the run's verdict in `run_verdict`'s
words, the threshold table, and the stress goals' rows.

This is the one place the terminal shows thresholds (the engine's summary leaves them out), with
k6's ✓/✗ beside each; a run without thresholds gets no table (the verdict line says so)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.insights import raised_iterations
from harness.report.tables import verdict_rows
from harness.results.model import RunResult
from harness.results.verdict import run_verdict

COLOURS = {"PASS": "green", "FAIL": "red"}  # INCOMPLETE, RUNNING: yellow
GOAL_MARKS = {"pass": "[green]PASS[/green]", "fail": "[red]FAIL[/red]", "warn": "[yellow]WARN[/yellow]"}


def print_verdict(result: RunResult, *, console: Console) -> None:
    verdict = run_verdict(result)
    colour = COLOURS.get(verdict.state, "yellow")
    console.print(f"verdict: [{colour}]{verdict.state}[/{colour}]: {escape(verdict.detail)}", highlight=False)
    for raised in raised_iterations(result):  # beside the verdict: exit 5 when every iteration raised
        note = " (exit 5: nothing was measured)" if raised.every else ""
        console.print(f"  [red]iteration errors:[/red] {escape(raised.text)}{note}", highlight=False)
    rows = verdict_rows(result)
    if rows:
        table = Table(title="thresholds", title_justify="left")
        for column in ("threshold", "expression", "observed", "verdict"):
            table.add_column(column, justify="right" if column == "observed" else "left")
        for r in rows:
            mark = "[green]✓ ok[/green]" if r.ok else "[red]✗ FAILED[/red]"
            table.add_row(escape(r.threshold), escape(r.expression), escape(r.observed + (f" ({r.note})" if r.note else "")),
                          mark)
        console.print(table)
    for outcome in result.goals.outcomes if result.goals is not None else []:
        console.print(f"  goal {GOAL_MARKS[outcome.status]} {escape(outcome.name)}: {escape(outcome.observed)} "
                      f"(limit {escape(outcome.limit)})", highlight=False)
