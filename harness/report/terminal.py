"""The verdict table printed after a run (and by `bwperf report`)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harness.report.tables import PASS, overall_verdict, verdict_rows
from harness.results.model import RunResult


def print_verdict(result: RunResult, *, console: Console) -> None:
    verdict = overall_verdict(result)
    colour = "green" if verdict == PASS else "red"
    rows = verdict_rows(result)
    ok = sum(1 for r in rows if r.ok)
    table = Table(title=f"verdict: [{colour}]{verdict}[/{colour}] ({ok} of {len(rows)} thresholds ok)",
                  title_justify="left")
    for column in ("threshold", "expression", "observed", "verdict"):
        table.add_column(column, justify="right" if column == "observed" else "left")
    for r in rows:
        mark = "[green]ok[/green]" if r.ok else "[red]FAILED[/red]"
        table.add_row(r.threshold, r.expression, r.observed + (f" ({r.note})" if r.note else ""), mark)
    console.print(table)
