"""JSON output: the Infracost-shaped document (see harness/costs/infracost.py)."""

from __future__ import annotations

import json

from harness.costs.infracost import report_document
from harness.costs.report import CostReport


def render_json(report: CostReport) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"
