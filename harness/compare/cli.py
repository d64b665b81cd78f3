"""`bwperf compare`: the current run against one or more baselines; the exit code is the CI gate.

Exit codes: 0 nothing regressed, 1 a regression, 2 bad input (a file missing, unreadable,
truncated or of another schema version; a bad compare.yaml; plans that differ), 4 inconclusive
(nothing regressed, but a change the measurement itself could explain: a degraded host or a
lagging generator in either run; the reasons are printed). A 4 is never a pass: CI should treat
it as "run again on a quieter machine" (`bwperf gate` does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.errors import EXIT_INCONCLUSIVE, EXIT_INPUT, EXIT_OK, EXIT_REGRESSION, InputError

if TYPE_CHECKING:
    from rich.console import Console

    from harness.compare.engine import Comparison

CI_LOG_WIDTH = 200

app = typer.Typer(add_completion=False, help="Compare runs against a baseline.")


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


def exit_code(comparison: Comparison) -> int:
    if comparison.regressed:
        return EXIT_REGRESSION
    return EXIT_INCONCLUSIVE if comparison.inconclusive else EXIT_OK


def report_console() -> Console:
    """Rich output; wide when not on a terminal (CI logs), so rows are not folded at 80 columns."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = CI_LOG_WIDTH
    return console


def write_reports(comparison: Comparison, *, markdown: Path | None, json_path: Path | None, junit: Path | None) -> None:
    from harness.compare.render_json import comparison_document
    from harness.compare.render_junit import render_junit
    from harness.compare.render_markdown import render_markdown

    if markdown is not None:
        write_markdown(markdown, render_markdown(comparison))
    if json_path is not None:
        _write(json_path, json.dumps(comparison_document(comparison), indent=1) + "\n")
    if junit is not None:
        _write(junit, render_junit(comparison))


def write_markdown(path: Path, text: str) -> None:
    """Markdown for people; appended when `path` is the job's $GITHUB_STEP_SUMMARY (other steps write there too)."""
    _write(path, text, append=os.environ.get("GITHUB_STEP_SUMMARY") == str(path))


def _write(path: Path, text: str, *, append: bool = False) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror or error})") from error


app.command("compare")(compare_command)
