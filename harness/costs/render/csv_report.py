"""CSV output: the report as one tidy table (`harness.costs.tidy.cost_frame`), which
`pandas.read_csv` and every spreadsheet read as is.

Columns: scenario, tier, category, line, quantity, unit, unit price (USD), monthly cost (USD),
cost type, source. Numbers are plain (no currency signs or separators). Sum `monthly cost (USD)`
over one scenario and tier for that tier's total ("plan" gives the report's tier totals).
"""

from __future__ import annotations

from harness.costs.report import CostReport
from harness.costs.tidy import cost_frame


def render_csv(report: CostReport) -> str:
    return cost_frame(report).to_csv(index=False, lineterminator="\n")
