"""summary.md: the verdict table first, then the measurement's health, the scenarios, requests,
custom trends and the generator's health, as GitHub-flavoured Markdown (readable as plain text too)."""

from __future__ import annotations

from collections.abc import Sequence

from harness.report.health_section import health_markdown, verdict_word
from harness.report.tables import (
    custom_trend_rows,
    overall_verdict,
    request_rows,
    run_facts,
    scenario_rows,
    verdict_rows,
)
from harness.results.model import RunResult


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(result: RunResult, *, html_name: str | None = "report.html", notes: Sequence[str] = ()) -> str:
    """The run summary; `html_name` links the HTML report beside it."""
    verdict = overall_verdict(result)
    ok = sum(1 for t in result.thresholds if t.ok)
    parts = [f"# Run {result.meta.run_id}: {verdict}", ""]
    parts.append(f"{ok} of {len(result.thresholds)} thresholds passed"
                 + ("" if result.complete else f"; the run stopped early ({result.interrupted_reason})")
                 + f"; measurement {verdict_word(result.health)}.")
    if html_name:
        parts.append(f"Charts: [{html_name}]({html_name}).")
    parts += ["", "\n".join(f"- **{label}**: {value}" for label, value in run_facts(result)), ""]
    parts += ["## Verdict", "",
              table(["threshold", "expression", "observed", "verdict", "note"],
                    [[r.threshold, r.expression, r.observed, r.verdict, r.note] for r in verdict_rows(result)])
              if result.thresholds else "The plan has no thresholds.", ""]
    parts += [health_markdown(result.health, table=table)]
    parts += ["## Scenarios", "",
              table(["scenario", "executor", "target", "achieved", "iterations", "dropped", "requests", "failures",
                     "p50 ms", "p95 ms", "p99 ms"],
                    [[r.scenario, r.executor, r.target, r.achieved, r.iterations, r.dropped, r.requests, r.failures,
                      r.p50, r.p95, r.p99] for r in scenario_rows(result)]), ""]
    parts += ["## Requests", "",
              table(["scenario", "request", "count", "failures", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                    [[r.scenario, r.request, r.count, r.failures, r.p50, r.p95, r.p99, r.max]
                     for r in request_rows(result)]), ""]
    trends = custom_trend_rows(result)
    if trends:
        parts += ["## Custom trends", "",
                  table(["metric", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                        [[t.metric, t.count, t.p50, t.p95, t.p99, t.max] for t in trends]), ""]
    parts += ["## Load generator", "", _generator_text(result), ""]
    remarks = [*result.warnings, *result.samples.notes, *notes]
    if remarks:
        parts += ["## Notes", "", "\n".join(f"- {r}" for r in remarks), ""]
    return "\n".join(parts)


def _generator_text(result: RunResult) -> str:
    g = result.generator
    lines = [f"- dropped iterations: {g.dropped_iterations}"]
    if g.lag_p50_ms is not None and g.lag_p99_ms is not None and g.lag_max_ms is not None:
        lines.append(f"- iteration start lag: p50 {g.lag_p50_ms:.1f} ms, p99 {g.lag_p99_ms:.1f} ms, max {g.lag_max_ms:.1f} ms")
    lines += [f"- {p.role} (pid {p.pid}): CPU {p.cpu_percent_avg:.0f} % avg, {p.cpu_percent_max:.0f} % max" for p in g.processes]
    lines.append("- saturated: " + ("yes, " + "; ".join(g.reasons) if g.saturated else "no"))
    return "\n".join(lines)
