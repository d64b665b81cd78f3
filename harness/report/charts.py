"""Every chart of a run report, in page order (pure: result and target curves in, charts out)."""

from __future__ import annotations

from harness.report.charts_distribution import distribution_chart
from harness.report.charts_system import (
    db_pool_chart,
    generator_chart,
    guardrail_chart,
    redis_chart,
)
from harness.report.charts_timeline import timeline_chart
from harness.report.charts_traffic import errors_chart, latency_chart, throughput_chart
from harness.report.style import Chart
from harness.report.targets import Curve
from harness.results.model import RunResult

# Charts that need data a run may not have (no guardrail metric, no Redis samples) are left out;
# the page lists what is missing and why.
OPTIONAL_CHARTS = {"guardrail": "no guardrail_latency metric in this run",
                   "redis": "no Redis samples in this run",
                   "db_pool": "no db_pool_* series in the sampled /metrics"}


def build_charts(result: RunResult, targets: dict[str, Curve]) -> tuple[list[Chart], list[str]]:
    """(charts, notes on charts left out)."""
    charts = [timeline_chart(result), latency_chart(result), distribution_chart(result), throughput_chart(result, targets),
              errors_chart(result)]
    notes = []
    for key, builder in (("guardrail", guardrail_chart), ("redis", redis_chart), ("db_pool", db_pool_chart)):
        chart = builder(result)
        if chart is None:
            notes.append(f"{key}: {OPTIONAL_CHARTS[key]}")
        else:
            charts.append(chart)
    charts.append(generator_chart(result))
    return charts, notes
