"""Run reports: a run result rendered for people.

    write_report(result_or_dir)         -> WrittenReport   report.html + summary.md beside the result
    build_charts(result, targets)       -> list[Chart]     the figures, pure functions of the result
    timeline_figure(result)             -> go.Figure       one time axis: rate, p95, failures, VUs, outcomes
    distribution_figure(result)         -> go.Figure       response-time distribution per request
    render_markdown(result, ...)        -> str             summary.md: the verdict first, goals, scenarios, health
    render_html(result, charts, ...)    -> str             one self-contained file (plotly.js inlined)

Modules: `series` (time series and samples out of a RunResult), `targets` (the plan's target rate
over time), `charts_timeline` / `charts_distribution` / `charts_traffic` / `charts_system` / `charts_health` (figure builders), `tables` (threshold
and scenario rows, run facts), `goals_section` (stress goals), `insights_section` (harness.insights in both files), `health_section` (measurement health in both files), `markdown`, `html`,
`writer` (files), `terminal` (the verdict table printed after a run), `cli` (`bwperf report`),
`hook` (the call `bwperf run` makes after a run).

Importing this package is cheap: plotly is imported by the modules that draw.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "build_charts",
    "distribution_chart",
    "distribution_figure",
    "render_html",
    "render_markdown",
    "timeline_chart",
    "timeline_figure",
    "write_report",
]

_LAZY = {
    "build_charts": ("harness.report.charts", "build_charts"),
    "distribution_chart": ("harness.report.charts_distribution", "distribution_chart"),
    "distribution_figure": ("harness.report.charts_distribution", "distribution_figure"),
    "timeline_chart": ("harness.report.charts_timeline", "timeline_chart"),
    "timeline_figure": ("harness.report.charts_timeline", "timeline_figure"),
    "render_html": ("harness.report.html", "render_html"),
    "render_markdown": ("harness.report.markdown", "render_markdown"),
    "write_report": ("harness.report.writer", "write_report"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'harness.report' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    return getattr(importlib.import_module(module_name), attr)
