"""The end-of-run summary the engine prints to the terminal: scenarios, generator and measurement
health. Iterations that raised have their own column and an `iteration errors:` line each.

The thresholds, the goals and the verdict are not printed here: `bwperf run` judges a stress plan's
goals after the engine exits, then prints the verdict of the whole result with the one threshold
table (`harness.report.terminal`), so each threshold is shown once and the terminal never shows a
PASS that the goals then turn into FAIL. The title marks a run that did not finish with
`run_verdict`'s state.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.health.text import health_line
from harness.insights import raised_iterations
from harness.results.figures import schedule_gaps
from harness.results.model import RunResult
from harness.results.verdict import run_verdict


def print_summary(result: RunResult, *, result_path: Path, console: Console) -> None:
    verdict = run_verdict(result)
    unfinished = "" if verdict.stopped is None else f"  ({'RUNNING' if verdict.state == 'RUNNING' else 'INCOMPLETE'})"
    table = Table(title=f"run {result.meta.run_id}{unfinished}")
    columns = ("scenario", "target/s", "achieved/s", "iterations", "raised", "dropped", "requests", "failures", "p95 ms", "p99 ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, s in result.scenarios.items():
        d = s.http_req_duration
        failures = ", ".join(f"{k}:{v}" for k, v in sorted(s.failures.items())) or "0"
        table.add_row(
            name,
            f"{s.target_rate_per_s:.2f}" if s.target_rate_per_s is not None else "-",
            f"{s.achieved_rate_per_s:.2f}",
            str(s.iterations_started),
            f"[red]{s.iteration_errors}[/red]" if s.iteration_errors else "0",
            str(s.dropped_iterations),
            str(s.requests),
            failures,
            f"{d.p95:.2f}" if d else "-",
            f"{d.p99:.2f}" if d else "-",
        )
    console.print(table)
    for raised in raised_iterations(result):  # a behaviour's exceptions, never only in result.json
        console.print(f"  [red]iteration errors:[/red] {raised.text}", highlight=False)
    for gap in schedule_gaps(result):
        console.print(f"  [yellow]schedule-true latency:[/yellow] {gap.text}", highlight=False)
    g = result.generator
    lag = f"lag p50 {g.lag_p50_ms:.2f} ms, p99 {g.lag_p99_ms:.2f} ms" if g.lag_p99_ms is not None else "no scheduled iterations"
    cpu = ", ".join(f"{p.role} {p.cpu_percent_avg:.0f}% (max {p.cpu_percent_max:.0f}%)" for p in g.processes)
    console.print(f"  generator: {lag}; dropped {g.dropped_iterations}; cpu {cpu}", highlight=False)
    if g.saturated:
        console.print("  [yellow]generator saturated:[/yellow] " + "; ".join(g.reasons))
    tone = "green" if result.health is not None and result.health.verdict == "clean" else "yellow"
    console.print(f"  [{tone}]measurement:[/{tone}] {health_line(result.health)}", highlight=False)
    for note in result.samples.notes:
        console.print(f"  note: {note}")
    if result.interrupted_reason:
        console.print(f"  stopped early: {result.interrupted_reason}")
    console.print(f"  result: {result_path}")
