"""The comparison as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`."""

from __future__ import annotations

from harness.compare import formatting
from harness.compare.config import rule_lines
from harness.compare.engine import Comparison
from harness.compare.rules import Verdict

ICONS = {Verdict.REGRESSED: "❌", Verdict.INCONCLUSIVE: "❔", Verdict.WITHIN_NOISE: "〰️", Verdict.IMPROVED: "✅",
         Verdict.UNCHANGED: "·"}


def render_markdown(comparison: Comparison) -> str:
    icon = "❌" if comparison.regressed else "❔" if comparison.inconclusive else "✅"
    lines = [
        f"## {icon} bwperf compare: {formatting.headline(comparison)}",
        "",
        _escape(formatting.runs_text(comparison)),
        "",
        "| metric | baseline | current | Δ% | noise band | verdict | why |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for m in formatting.ordered(comparison):
        lines.append(
            f"| `{_escape(m.key)}` | {formatting.value_text(m.baseline, m.unit)} | {formatting.value_text(m.current, m.unit)} "
            f"| {formatting.delta_pct_text(m.delta_pct)} | {_escape(formatting.noise_text(m))} | {ICONS[m.verdict]} {m.verdict.value} "
            f"| {_escape(formatting.detail_text(m))} |"
        )
    if comparison.notes:
        lines += ["", "**Notes**", ""] + [f"- {_escape(note)}" for note in comparison.notes]
    lines += ["", "**Rule**", ""] + [f"- {_escape(line)}" for line in rule_lines(comparison.settings, tests=len(comparison.metrics))]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
