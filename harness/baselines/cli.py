"""`bwperf baseline promote|list|record|history`: the baseline store and the run history.

The store, history and change-point modules are imported inside each command: `bwperf.cli`
imports every area's commands at start, and ruptures/scipy would add a second to every `bwperf`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.errors import EXIT_INPUT, InputError

if TYPE_CHECKING:
    from rich.table import Table

    from harness.baselines.series import ChangePoint, Series

DEFAULT_DIRECTORY = Path("baselines")
DEFAULT_RESULTS = Path("reports")  # `bwperf run --out`'s default
HISTORY_FILE_NAME = "history.jsonl"

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The baseline store and the run history.")

Directory = Annotated[Path, typer.Option("--dir", help="The baseline store.")]


def _fail(error: InputError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(EXIT_INPUT)


@app.command("promote")
def promote_command(
    result: Annotated[str, typer.Argument(help="The run to make the baseline: a result file (JSON, k6 NDJSON or summary export), "
                                                "a run directory, 'latest', or a unique prefix of a run id in --results.")],
    name: Annotated[str | None, typer.Option("--name", help="Name in the dated file (YYYY-MM-DD-<name>.json); default 'baseline'.")] = None,
    directory: Directory = DEFAULT_DIRECTORY,
    results: Annotated[Path, typer.Option("--results", help="Where `bwperf run` wrote the runs (for 'latest' and run ids).")] = DEFAULT_RESULTS,
    plan: Annotated[str | None, typer.Option("--plan", help="With 'latest': the newest run of this plan (a name or plan file).")] = None,
) -> None:
    """Copy a run into baselines/ under a dated name, make it current.json, and record it in the history."""
    from harness.baselines.run_ref import resolve_run
    from harness.baselines.store import promote

    try:
        promoted = promote(resolve_run(result, results_dir=results, plan=plan), directory=directory, name=name)
    except InputError as error:
        raise _fail(error) from None
    typer.echo(f"promoted {promoted.run_id}: {promoted.path} (now {promoted.current})")
    typer.echo("recorded in the history" if promoted.recorded else "already in the history")


@app.command("list")
def list_command(directory: Directory = DEFAULT_DIRECTORY) -> None:
    """The dated baselines, oldest first; * marks the current one."""
    from harness.baselines.store import list_baselines

    stored = list_baselines(directory)
    if not stored:
        typer.echo(f"no baselines in {directory}")
        return
    for baseline in stored:
        mark = "*" if baseline.is_current else " "
        typer.echo(f"{mark} {baseline.day:%Y-%m-%d}  {baseline.name:<24} {baseline.size_bytes / 1024:9.1f} KiB  {baseline.path}")


@app.command("record")
def record_command(
    result: Annotated[Path, typer.Argument(help="The run to add to the history.")],
    directory: Directory = DEFAULT_DIRECTORY,
) -> None:
    """Append a run to baselines/history.jsonl (once per run id), with a copy of its result in runs/."""
    from harness.baselines.runs import record_with_result

    try:
        recorded = record_with_result(result, directory=directory)
    except InputError as error:
        raise _fail(error) from None
    run = recorded.run
    health = "" if run.health is None else f" (measurement {run.health.verdict})"
    typer.echo(f"recorded {run.run_id}{health}" if recorded.added else f"{run.run_id} is already in the history")


@app.command("history")
def history_command(
    metric: Annotated[str, typer.Option("--metric", help="Glob on metric keys, e.g. '*/latency_p95_ms'.")] = "*",
    directory: Directory = DEFAULT_DIRECTORY,
    changes_only: Annotated[bool, typer.Option("--changes-only", help="Only metrics with a change point.")] = False,
    max_pvalue: Annotated[float, typer.Option("--max-pvalue", help="Significance of a change point (scan-corrected).")] = 0.001,
    min_change_pct: Annotated[float, typer.Option("--min-change-pct", help="Smallest step worth a change point, percent.")] = 5.0,
    min_segment: Annotated[int, typer.Option("--min-segment", help="Fewest runs on each side of a change point.")] = 3,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write the change points as Markdown (appended when it is $GITHUB_STEP_SUMMARY).")] = None,
) -> None:
    """Each metric's series over the recorded runs, with change points (steps) marked."""
    from rich.console import Console

    from harness.baselines.analysis import ChangePointOptions
    from harness.baselines.series import detect_change_points, load_history
    from harness.compare.output import write_markdown

    try:
        options = ChangePointOptions(max_pvalue=max_pvalue, min_magnitude_pct=min_change_pct, min_segment=min_segment)
    except ValueError as error:
        raise _fail(InputError(str(error))) from None
    try:
        history = load_history(directory / HISTORY_FILE_NAME)
    except InputError as error:
        raise _fail(error) from None
    console = Console(highlight=False)
    for warning in history.warnings:
        console.print(f"warning: {warning}", markup=False, soft_wrap=True)
    selected = history.select(metric)
    if not selected:
        typer.echo(f"no metric in {directory / HISTORY_FILE_NAME} matches {metric!r} ({len(history.rows)} runs recorded)")
        return
    shown = 0
    found: list[tuple[Series, list[ChangePoint]]] = []
    for series in selected:
        changes = detect_change_points(series, options=options)
        found.append((series, changes))
        if changes_only and not changes:
            continue
        console.print(_series_table(series, changes))
        shown += 1
    if markdown is not None:
        try:
            write_markdown(markdown, change_points_markdown(found, runs=len(history.rows), pattern=metric))
        except InputError as error:
            raise _fail(error) from None
    typer.echo(f"{shown} of {len(selected)} metrics shown; {len(history.rows)} runs; change points: Welch p <= {max_pvalue:g} "
               f"(scan-corrected), step >= {min_change_pct:g} %, >= {min_segment} runs a side")


def _series_table(series: Series, changes: list[ChangePoint]) -> Table:
    from rich.table import Table

    from harness.compare.formatting import value_text

    at = {change.index: change for change in changes}
    direction = series.direction.value.replace("_", " ")
    table = Table(title=f"{series.key}  ({direction}; {len(changes)} change point(s))", title_justify="left")
    for column in ("run", "started", "value", "change point"):
        table.add_column(column)
    for index, point in enumerate(series.points):
        change = at.get(index)
        marker = ""
        if change is not None:
            style = {"regression": "bold red", "improvement": "green"}.get(change.verdict, "yellow")
            marker = (f"[{style}]◆ {change.verdict} {change.change_pct:+.1f} % "
                      f"({value_text(change.before, series.unit)} → {value_text(change.after, series.unit)}, p={change.pvalue:.1g})[/]")
        table.add_row(point.run_id, f"{point.moment:%Y-%m-%d %H:%M}", value_text(point.value, series.unit), marker)
    return table


def change_points_markdown(found: list[tuple[Series, list[ChangePoint]]], *, runs: int, pattern: str) -> str:
    """Every change point as a Markdown table (the weekly workflow's summary)."""
    from harness.compare.formatting import value_text

    rows = [(series, change) for series, changes in found for change in changes]
    lines = [f"### Change points in the run history ({runs} runs, metrics `{pattern}`)", ""]
    if not rows:
        return "\n".join(lines + [f"No change point in {len(found)} metric(s).", ""])
    lines += ["| metric | first run at the new level | before → after | change | kind |", "|---|---|---|---:|---|"]
    for series, change in rows:
        lines.append(f"| `{series.key}` | {change.run_id} | {value_text(change.before, series.unit)} → "
                     f"{value_text(change.after, series.unit)} | {change.change_pct:+.1f} % | {change.verdict} |")
    return "\n".join(lines) + "\n"
