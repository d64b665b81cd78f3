"""The overview's insights panel: what `harness.insights` reads in the run, most severe first, each
a one-sentence title with its figures and the evidence (windows, time range) under it."""

from __future__ import annotations

from dash import html

from harness.insights import Insight, find_insights
from harness.results import RunResult

TONES = {"critical": "error", "warning": "warning", "info": "info"}


def _item(insight: Insight) -> html.Div:
    evidence = html.Ul([html.Li(line) for line in insight.evidence], className="notes") if insight.evidence else None
    return html.Div([html.Strong(insight.title), evidence], className=f"notice notice-{TONES[insight.severity]} insight",
                    **{"data-kind": insight.kind, "data-severity": insight.severity})


def insights_panel(result: RunResult) -> html.Div | None:
    """The panel, or None when the run gives no insight (a clean run shows nothing extra)."""
    insights = find_insights(result)
    if not insights:
        return None
    return html.Div([html.H2(f"Insights ({len(insights)})"), *(_item(i) for i in insights)],
                    className="panel insights", id="insights")
