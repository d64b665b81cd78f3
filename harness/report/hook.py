"""The one call `bwperf run` makes after a run: build the run's report and print the verdict.

Cheap to import (plotly is loaded only when a report is written). A report that cannot be built
never changes the run's exit code: the run's verdict is the result file's; the problem is printed.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from harness.results.io import RESULT_FILE_NAME


def write_run_report(run_dir: Path, *, console: Console) -> Path | None:
    """Write `summary.md` and `report.html` beside `run_dir/result.json`, print the verdict table
    and the report paths; None when the run saved no result (the engine already said why)."""
    if not (run_dir / RESULT_FILE_NAME).exists():
        return None
    from harness.errors import BwperfError
    from harness.report.terminal import print_verdict
    from harness.report.writer import write_report

    try:
        written = write_report(run_dir)
    except (BwperfError, OSError, ValueError) as error:
        console.print(f"[yellow]report not written:[/yellow] {error}", highlight=False)
        return None
    print_verdict(written.result, console=console)
    _add_goals(run_dir, written, console=console)
    console.print(f"  report: {written.html}", highlight=False)
    console.print(f"  summary: {written.markdown}", highlight=False)
    return written.html


def _add_goals(run_dir: Path, written: object, *, console: Console) -> None:
    """A stress plan's goals (goals.json, see harness.goals): rows in both report files and here."""
    from harness.goals.hook import read_goal_report
    from harness.report.goals_section import add_goals_to_report

    try:
        report = read_goal_report(run_dir)
        if report is None:
            return
        add_goals_to_report(run_dir, written.result, report, html=written.html, markdown=written.markdown)  # type: ignore[attr-defined]
    except (OSError, ValueError) as error:
        console.print(f"[yellow]goals not added to the report:[/yellow] {error}", highlight=False)
        return
    for outcome in report.outcomes:
        colour = {"pass": "green", "fail": "red", "warn": "yellow"}[outcome.status]
        console.print(f"  goal [{colour}]{outcome.status.upper()}[/{colour}] {outcome.name}: {outcome.observed} "
                      f"(limit {outcome.limit})", highlight=False)
