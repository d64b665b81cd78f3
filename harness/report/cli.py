"""`bwperf report RESULT_OR_DIR [--format html|md]`: (re)build the report of any run result."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from harness.errors import EXIT_INPUT, BwperfError, exit_code_for


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


def report_command(
    result: Annotated[Path, typer.Argument(help="a run result file, or a run directory holding result.json")],
    format: Annotated[list[ReportFormat] | None, typer.Option("--format", help="html or md (repeatable; default both)")] = None,
    out: Annotated[Path | None, typer.Option(help="write into this directory (default: beside the result)")] = None,
    plan: Annotated[Path | None, typer.Option(help="the run's plan file, for the target curves (default: the path in the result)")] = None,
) -> None:
    """Build report.html (charts, self-contained) and summary.md (verdict table) for a run.

    Exit codes: 0 written; 2 the result is missing, unreadable or not a valid run result.
    """
    from harness.report.terminal import print_verdict
    from harness.report.writer import write_report

    console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
    formats = [f.value for f in format] if format else ["html", "md"]
    try:
        written = write_report(result, formats=formats, out_dir=out, plan_path=plan)
    except BwperfError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)  # one line, however long
        raise typer.Exit(exit_code_for(error)) from None
    except OSError as error:
        console.print(f"[red]error:[/red] cannot write the report: {error}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    print_verdict(written.result, console=console)
    for path in (written.html, written.markdown):
        if path is not None:
            console.print(f"  wrote {path}", highlight=False)
