"""The comparison as a rich table, with the rule and the notes under it."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harness.compare import formatting
from harness.compare.config import rule_lines
from harness.compare.engine import Comparison
from harness.compare.rules import Verdict

STYLES = {
    Verdict.REGRESSED: "bold red",
    Verdict.INCONCLUSIVE: "bold magenta",
    Verdict.WITHIN_NOISE: "yellow",
    Verdict.IMPROVED: "green",
    Verdict.UNCHANGED: "dim",
}


def render_terminal(comparison: Comparison, *, console: Console) -> None:
    table = Table(title=formatting.runs_text(comparison), title_justify="left", show_lines=False)
    for column, justify in (("metric", "left"), ("baseline", "right"), ("current", "right"), ("Δ", "right"),
                            ("Δ%", "right"), ("noise band", "left"), ("verdict", "left")):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for m in formatting.ordered(comparison):
        table.add_row(
            m.key,
            formatting.value_text(m.baseline, m.unit),
            formatting.value_text(m.current, m.unit),
            formatting.delta_text(m.delta, m.unit),
            formatting.delta_pct_text(m.delta_pct),
            formatting.noise_text(m),
            f"[{STYLES[m.verdict]}]{m.verdict.value}[/]",
        )
    console.print(table)
    style = "bold red" if comparison.regressed else "bold magenta" if comparison.inconclusive else "bold green"
    console.print(f"[{style}]{formatting.headline(comparison)}[/]")
    for m in formatting.ordered(comparison):
        if m.verdict in (Verdict.REGRESSED, Verdict.INCONCLUSIVE) and formatting.detail_text(m):
            console.print(f"{m.verdict.value}: {m.key}: {formatting.detail_text(m)}", highlight=False, markup=False, soft_wrap=True)
    for note in comparison.notes:
        console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    for line in rule_lines(comparison.settings, tests=len(comparison.metrics)):
        console.print(f"rule: {line}", highlight=False, markup=False, soft_wrap=True)
