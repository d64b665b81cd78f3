"""summary.md: the run's verdict first (`run_verdict`: thresholds and stress goals, each failure
named), then the threshold table, the stress goals, the measurement's health, the scenarios,
requests, custom trends and the generator's health, as GitHub-flavoured Markdown (readable as
plain text too)."""

from __future__ import annotations

from collections.abc import Sequence

from harness.insights import find_insights, raised_iterations
from harness.report.goals_section import goals_markdown
from harness.report.health_section import health_markdown, verdict_word
from harness.report.insights_section import insights_markdown
from harness.report.tables import (
    custom_trend_rows,
    request_rows,
    run_facts,
    SCHEDULE_HEADER,
    SCHEDULE_INTRO,
    scenario_rows,
    schedule_rows,
    verdict_rows,
)
from harness.results.figures import schedule_gaps
from harness.results.model import RunResult
from harness.results.verdict import Verdict, run_verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(result: RunResult, *, html_name: str | None = "report.html", notes: Sequence[str] = ()) -> str:
    """The run summary; `html_name` links the HTML report beside it."""
    verdict = run_verdict(result)
    parts = [f"# Run {result.meta.run_id}: {verdict.state}", ""]
    parts.append(f"{verdict.text}; measurement {verdict_word(result.health)}.")
    parts += _failures(result, verdict)
    raised = raised_iterations(result)  # a behaviour's exceptions, right under the verdict
    if raised:
        parts += ["", "\n".join(f"- **iteration errors**: {r.text}" + (" (every one: exit 5)" if r.every else "")
                                for r in raised), ""]
    if html_name:
        parts.append(f"Charts: [{html_name}]({html_name}).")
    parts += ["", "\n".join(f"- **{label}**: {value}" for label, value in run_facts(result)), ""]
    parts += ["## Verdict", "",
              table(["threshold", "expression", "observed", "verdict", "note"],
                    [[r.threshold, r.expression, r.observed, r.verdict, r.note] for r in verdict_rows(result)])
              if result.thresholds else "The plan has no thresholds.", ""]
    parts += [insights_markdown(find_insights(result))]
    if result.goals is not None:
        parts += [goals_markdown(result.goals, table=table)]
    parts += [health_markdown(result.health, table=table)]
    parts += ["## Scenarios", "",
              table(["scenario", "executor", "target", "achieved", "iterations", "dropped", "requests", "failures",
                     "p50 ms", "p95 ms", "p99 ms"],
                    [[r.scenario, r.executor, r.target, r.achieved, r.iterations, r.dropped, r.requests, r.failures,
                      r.p50, r.p95, r.p99] for r in scenario_rows(result)]), ""]
    parts += _schedule_markdown(result)
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


def _schedule_markdown(result: RunResult) -> list[str]:
    rows = schedule_rows(result)
    if not rows:
        return []
    gaps = [f"- **{gap.text}**" for gap in schedule_gaps(result)]
    return ["## Schedule-true latency", "", SCHEDULE_INTRO, "",
            table(SCHEDULE_HEADER, [[r.scenario, r.saturation, r.service_p99, r.scheduled_p50, r.scheduled_p95,
                                     r.scheduled_p99, r.dropped] for r in rows]), "",
            *([*gaps, ""] if gaps else [])]


def _failures(result: RunResult, verdict: Verdict) -> list[str]:
    """Under the verdict line: each failed goal and threshold with what was observed."""
    lines = [f"- goal **{o.name}**: {o.observed} (limit: {o.limit})" for o in
             (result.goals.outcomes if result.goals is not None else []) if o.status == "fail"]
    lines += [f"- threshold **{r.threshold}** {r.expression}: {r.observed}" for r in verdict_rows(result) if not r.ok]
    return ["", "Failed:", "", *lines, ""] if lines and not verdict.ok else []


def _generator_text(result: RunResult) -> str:
    g = result.generator
    lines = [f"- dropped iterations: {g.dropped_iterations}"]
    if g.lag_p50_ms is not None and g.lag_p99_ms is not None and g.lag_max_ms is not None:
        lines.append(f"- iteration start lag: p50 {g.lag_p50_ms:.1f} ms, p99 {g.lag_p99_ms:.1f} ms, max {g.lag_max_ms:.1f} ms")
    lines += [f"- {p.role} (pid {p.pid}): CPU {p.cpu_percent_avg:.0f} % avg, {p.cpu_percent_max:.0f} % max" for p in g.processes]
    lines.append("- saturated: " + ("yes, " + "; ".join(g.reasons) if g.saturated else "no"))
    return "\n".join(lines)
