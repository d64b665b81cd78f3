"""--compare-to: differences per tier and per line between two JSON reports."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from harness.costs.compare import check_document, compare_documents, load_previous
from harness.costs.errors import CompareFileError
from harness.costs.infracost import report_document
from harness.costs.model import DEFAULT_MODEL_PATH, parse_model
from harness.costs.report import CostReport, build_report
from tests.harness.costs.conftest import FIXED_TIME

D = Decimal


def _changed_report() -> CostReport:
    """The model with Scale's API at $90 instead of $75 and MVP's domain line removed."""
    text = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    text = text.replace(
        'spec: "shared-cpu-2x, 1 GB each", cost_usd_month: 75,', 'spec: "shared-cpu-2x, 1 GB each", cost_usd_month: 90,'
    )
    domain = (
        '      - {id: domain, resource: Domain name, provider: Registrar, spec: ".ai domain", cost_usd_month: 7,'
        " source: seed-10.1, note: amortized}\n"
    )
    assert domain in text
    text = text.replace(domain, "")
    return build_report(parse_model(text, name="changed.yaml"), model_path="changed.yaml", generated_at=FIXED_TIME)


def test_identical_reports_have_no_differences(plain_report: CostReport) -> None:
    doc = report_document(plain_report)
    comparison = compare_documents(doc, doc, previous_label="same.json")
    assert all(t.diff_usd_month == 0 for t in comparison.tiers)
    assert {line.change for t in comparison.tiers for line in t.lines} == {"unchanged"}


def test_differences_per_tier_and_line(plain_report: CostReport) -> None:
    comparison = compare_documents(
        report_document(plain_report), report_document(_changed_report()), previous_label="old.json"
    )
    tiers = {t.tier_name: t for t in comparison.tiers}
    assert tiers["Scale"].diff_usd_month == D("15")
    assert (tiers["Scale"].previous_usd_month, tiers["Scale"].current_usd_month) == (D("1917.00"), D("1932.00"))
    api = next(line for line in tiers["Scale"].lines if line.resource == "infrastructure.api")
    assert (api.change, api.diff_usd_month, api.label) == ("changed", D("15"), "API Service (x5)")
    domain = next(line for line in tiers["MVP"].lines if line.resource == "infrastructure.domain")
    assert (domain.change, domain.current_usd_month, domain.diff_usd_month) == ("removed", None, D("-7"))
    assert tiers["MVP"].diff_usd_month == D("-7")
    assert tiers["Growth"].diff_usd_month == 0


def test_report_built_with_previous_carries_the_comparison(plain_report: CostReport) -> None:
    changed = _changed_report()
    report = build_report(
        changed.model,
        model_path="changed.yaml",
        previous=report_document(plain_report),
        previous_label="old.json",
        generated_at=FIXED_TIME,
    )
    assert report.comparison is not None
    assert report.comparison.previous_label == "old.json"
    assert report.comparison.previous_generated_at == "2026-11-26T12:00:00Z"
    doc = report_document(report)
    scale = next(p for p in doc["comparison"]["projects"] if p["name"] == "Scale")
    assert (scale["pastMonthlyCost"], scale["monthlyCost"], scale["diffMonthlyCost"]) == ("1917.00", "1932.00", "15.00")


def test_load_previous_accepts_a_written_report(tmp_path: Path, plain_report: CostReport) -> None:
    path = tmp_path / "prev.json"
    path.write_text(json.dumps(report_document(plain_report)))
    assert load_previous(path)["kind"] == "bwperf.cost-report"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", r"p\.json: not a JSON cost report \(invalid JSON at line 1, column 2\)"),
        ('{"foo": 1}', r'p\.json: not a cost report \(expected "kind": "bwperf.cost-report"'),
        ("[1, 2]", r"p\.json: not a cost report"),
        ('{"kind": "bwperf.cost-report", "projects": {}}', r"projects must be a list"),
        (
            (
                '{"kind": "bwperf.cost-report", "projects": [{"name": "MVP", "breakdown": {"totalMonthlyCost": "x",'
                ' "resources": []}}]}'
            ),
            r"projects\[0\]\.breakdown\.totalMonthlyCost must be a decimal amount, but is 'x'",
        ),
    ],
)
def test_bad_previous_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content)
    with pytest.raises(CompareFileError, match=message):
        load_previous(path)


def test_missing_previous_file(tmp_path: Path) -> None:
    with pytest.raises(CompareFileError, match=r"gone\.json: previous report not found"):
        load_previous(tmp_path / "gone.json")


def test_check_document_requires_resource_costs(plain_report: CostReport) -> None:
    doc = report_document(plain_report)
    del doc["projects"][1]["breakdown"]["resources"][0]["monthlyCost"]
    with pytest.raises(CompareFileError, match=r"projects\[1\]\.breakdown\.resources\[0\]\.monthlyCost"):
        check_document(doc, name="x.json")
