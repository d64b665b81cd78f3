"""CSV output: every view stacked in one file, each as a titled section.

Section layout (so a spreadsheet opens it as is and a script can split it):
    a row with the view key and title, a header row, the data rows, one empty row.
Numbers are plain: money in USD to cents, shares as fractions, no separators.
"""

from __future__ import annotations

import csv
import io

from harness.costs.report import CostReport
from harness.costs.table import plain_cell
from harness.costs.views import all_tables


def render_csv(report: CostReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["# BetterWorld cost-tier report", f"generated {report.generated_at}", f"model {report.model_path}"]
    )
    writer.writerow([])
    for table in all_tables(report):
        writer.writerow([f"# {table.key}", table.title])
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([plain_cell(value, col.kind) for value, col in zip(row, table.columns)])
        writer.writerow([])
    return out.getvalue()
