"""The comparison on the terminal, fitted to its width: a table when there is room, else one block per
metric; the rule and the notes under it, wrapped (never cut) to the same width.

The width is the terminal's as `shutil.get_terminal_size` sees it (`COLUMNS` first), capped by the
console's: a CI log (no terminal, no `COLUMNS`) keeps the console's own wide width.
"""

from __future__ import annotations

import shutil
import textwrap

from rich.console import Console
from rich.table import Table
from rich.text import Text

from harness.compare import formatting
from harness.compare.config import rule_lines
from harness.compare.engine import Comparison, MetricComparison
from harness.compare.rules import Verdict

STYLES = {
    Verdict.REGRESSED: "bold red",
    Verdict.INCONCLUSIVE: "bold magenta",
    Verdict.WITHIN_NOISE: "yellow",
    Verdict.IMPROVED: "green",
    Verdict.UNCHANGED: "dim",
}
TABLE_MIN_COLUMNS = 100  # narrower than this, the table's name and noise columns fold past reading: blocks instead
NATURAL_WIDTH = 10_000  # wide enough to measure the table unfolded
INDENT = "  "
EXPLAINED = (Verdict.REGRESSED, Verdict.INCONCLUSIVE)  # the verdicts whose "why" is printed


def output_columns(console: Console) -> int:
    """The columns to fill: the terminal's (honouring COLUMNS), never more than the console's."""
    return min(shutil.get_terminal_size(fallback=(console.width, 24)).columns, console.width)


def render_terminal(comparison: Comparison, *, console: Console) -> None:
    width = output_columns(console)
    metrics = formatting.ordered(comparison)
    table = _table(comparison, metrics)
    natural = console.measure(table, options=console.options.update_width(NATURAL_WIDTH)).maximum
    as_table = natural <= width or width >= TABLE_MIN_COLUMNS
    if as_table:
        console.print(table, width=width)
    else:
        _print(console, Text(formatting.runs_text(comparison)), width=width)
        for m in metrics:
            for line in _block(m, width=width):
                _print(console, line, width=width)
    style = "bold red" if comparison.regressed else "bold magenta" if comparison.inconclusive else "bold green"
    _print(console, Text(formatting.headline(comparison), style=style), width=width)
    if as_table:  # the blocks carry their own "why"
        for m in metrics:
            if m.verdict in EXPLAINED and formatting.detail_text(m):
                _print(console, Text(f"{m.verdict.value}: {m.key}: {formatting.detail_text(m)}"), width=width)
    for note in comparison.notes:
        _print(console, Text(f"note: {note}"), width=width)
    for line in rule_lines(comparison.settings, tests=len(comparison.metrics)):
        _print(console, Text(f"rule: {line}"), width=width)


def _table(comparison: Comparison, metrics: list[MetricComparison]) -> Table:
    table = Table(title=formatting.runs_text(comparison), title_justify="left", show_lines=False)
    table.add_column("metric", overflow="fold")
    for column in ("baseline", "current", "Δ", "Δ%"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("noise band", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    for m in metrics:
        table.add_row(
            m.key,
            formatting.value_text(m.baseline, m.unit),
            formatting.value_text(m.current, m.unit),
            formatting.delta_text(m.delta, m.unit),
            formatting.delta_pct_text(m.delta_pct),
            formatting.noise_text(m),
            f"[{STYLES[m.verdict]}]{m.verdict.value}[/]",
        )
    return table


def _block(m: MetricComparison, *, width: int) -> list[Text]:
    """One metric for a narrow terminal: the verdict and the name, then the figures, the noise band and
    the why, indented and wrapped (a long name is folded, never cut)."""
    lines = [Text.assemble((m.verdict.value, STYLES[m.verdict]), " ", m.key)]
    parts = [f"{formatting.value_text(m.baseline, m.unit)} → {formatting.value_text(m.current, m.unit)}, "
             f"Δ {formatting.delta_text(m.delta, m.unit)} ({formatting.delta_pct_text(m.delta_pct)})",
             f"noise band: {formatting.noise_text(m)}"]
    if m.verdict in EXPLAINED and formatting.detail_text(m):
        parts.append(f"why: {formatting.detail_text(m)}")
    for part in parts:
        lines += [Text(line) for line in textwrap.wrap(part, width=width, initial_indent=INDENT,
                                                       subsequent_indent=INDENT * 2, break_on_hyphens=False)]
    return lines


def _print(console: Console, text: Text, *, width: int) -> None:
    """Wrapped at `width` on spaces; a word longer than the line is folded, never cut."""
    text.overflow = "fold"
    console.print(text, width=width, highlight=False)
