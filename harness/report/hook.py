"""The one call `bwperf run` makes after a run: build the run's report and print the verdict.

Cheap to import (plotly is loaded only when a report is written). A report that cannot be built
never changes the run's exit code: the run's verdict is the result file's; the problem is printed.
`bwperf run` calls this after the goals are judged into the result, so the report is built once,
from the whole result.
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
    from harness.results.io import load_result

    try:
        written = write_report(run_dir)
    except (BwperfError, OSError, ValueError) as error:
        console.print(f"[yellow]report not written:[/yellow] {error}", highlight=False)
        try:  # the verdict table is where the thresholds are shown: it must not depend on the report
            print_verdict(load_result(run_dir / RESULT_FILE_NAME), console=console)
        except (BwperfError, OSError, ValueError) as unreadable:
            console.print(f"[yellow]result not readable:[/yellow] {unreadable}", highlight=False)
        return None
    print_verdict(written.result, console=console)
    console.print(f"  report: {written.html}", highlight=False)
    console.print(f"  summary: {written.markdown}", highlight=False)
    return written.html

