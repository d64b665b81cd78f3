"""Parts several pages share: the shown run's heading, and the verdict table of a comparison."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.comparison import (
    VERDICT_TONES,
    ComparisonOutcome,
    headline,
    verdict_rows,
)
from dashboards.components import card, cards, notice, table
from dashboards.data import RunEntry
from harness.compare import Verdict, formatting
from harness.results import RunResult


def run_label(entry: RunEntry) -> str:
    """`2026-09-01 03:00 UTC · <run id> · ci` (the selector's and the headings' name for a run)."""
    if entry.result is None:
        return f"{entry.key} (unreadable)"
    meta = entry.result.meta
    return f"{meta.started_at:%Y-%m-%d %H:%M} UTC · {meta.run_id} · {meta.profile}"


def run_heading(result: RunResult, *, following: bool, page_title: str) -> html.Div:
    meta = result.meta
    mode = (f"following the newest run of {meta.plan_path}" if following
            else "pinned run (choose 'Plan … · newest run' above to follow)")
    return html.Div([
        html.H1(page_title),
        html.P([
            html.Span(meta.run_id, className="run-id", id="shown-run-id"), " · ",
            (f"{meta.started_at:%Y-%m-%d %H:%M:%S} UTC · plan {meta.plan_path} · profile {meta.profile} · "
             f"{meta.duration_s:,.0f} s against {meta.target} · "),
            html.Span(mode, className="follow-mode"),
        ], className="run-meta"),
    ], className="page-heading")


def verdict_section(outcome: ComparisonOutcome, *, table_id: str) -> list[Any]:
    """The comparison's headline, a card per verdict (inconclusive beside regressed), and the verdict
    table (regressions first), with why a verdict is inconclusive and what the server saw."""
    if outcome.comparison is None:
        return [notice(f"Not compared: {outcome.error}", tone="warning")]
    comparison = outcome.comparison
    rows = verdict_rows(comparison)
    counts = {v.value: comparison.count(v) for v in Verdict}
    tone = "error" if comparison.regressed else "warning" if comparison.inconclusive else "ok"
    parts: list[Any] = [
        notice(headline(comparison), tone=tone),
        cards(*(card(verdict, str(counts[verdict]), tone=VERDICT_TONES[verdict] if counts[verdict] else "neutral")
                for verdict in (v.value for v in formatting.VERDICT_ORDER)), id=f"{table_id}-cards"),
        table(["metric", "baseline", "current", "change", "noise band", "verdict", "why"],
              [[r.metric, r.baseline, r.current, r.change, r.noise, html.Span(r.verdict, className="verdict"),
                html.Span(r.why, className="verdict-why")] for r in rows],
              row_classes=[f"verdict-{r.verdict.replace(' ', '-')}" for r in rows], id=table_id, numeric=(1, 2, 3)),
    ]
    if comparison.notes:
        parts.append(html.Ul([html.Li(n) for n in comparison.notes], className="notes"))
    return parts
