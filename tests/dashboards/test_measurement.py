"""Measurement health on the pages (without a browser): the overview's card and notice, the Runs
table's column, and the comparison's inconclusive verdicts with their why."""

from __future__ import annotations

from typing import Any

import pytest
from dash import html

from dashboards.app import render_page
from dashboards.comparison import compare_metrics
from dashboards.context import LATEST, DashboardData
from dashboards.measurement import measurement_of
from dashboards.pages.runs import compare_view
from harness.compare import formatting
from harness.compare.result_inputs import from_result
from harness.compare.rules import Verdict
from harness.health.text import health_line
from tests.dashboards import dash_tree
from tests.dashboards.conftest import REGRESSION_FROM, Lab
from tests.dashboards.run_factory import CLEAN_FROM, DEGRADED_RUN


@pytest.fixture(scope="module")
def data(lab: Lab) -> DashboardData:
    return DashboardData(lab.results, lab.baselines)


def _card(tree: Any, label: str) -> html.Div:
    for node in dash_tree.walk(tree):
        if isinstance(node, html.Div) and str(getattr(node, "className", "")).startswith("card ") \
                and dash_tree.text(node.children[0]) == label:
            return node
    raise AssertionError(f"no card {label!r}")


def _cell(table: html.Table, column: str, row: html.Tr) -> str:
    header = [dash_tree.text(th) for th in table.children[0].children.children]
    return dash_tree.text(row.children[header.index(column)])


def test_the_overview_shows_a_clean_measurement_beside_the_load_generator(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/", LATEST)
    measurement = _card(children, "Measurement")
    assert measurement.className == "card tone-ok"
    assert dash_tree.text(measurement).startswith("Measurement clean")
    cards = next(n for n in dash_tree.walk(children) if getattr(n, "className", None) == "cards")
    labels = [dash_tree.text(c.children[0]) for c in cards.children]
    assert labels.index("Measurement") == labels.index("Load generator") + 1
    assert not dash_tree.has(children, "measurement-notice")


def test_a_degraded_run_gets_a_warning_card_and_a_notice_listing_every_reason(data: DashboardData, lab: Lab) -> None:
    degraded = lab.runs[DEGRADED_RUN]
    assert degraded.health is not None and degraded.health.verdict == "degraded"
    children, _ = render_page(data, "/", degraded.meta.run_id)
    measurement = _card(children, "Measurement")
    assert measurement.className == "card tone-warning"
    assert "degraded" in dash_tree.text(measurement) and "6 of 12 sample windows degraded" in dash_tree.text(measurement)
    notice = dash_tree.find(children, "measurement-notice")
    assert notice.className == "notice notice-warning"
    items = [dash_tree.text(li) for li in dash_tree.walk(notice) if isinstance(li, html.Li)]
    assert items == degraded.health.reasons


def test_a_result_from_before_measurement_health_says_not_recorded(data: DashboardData, lab: Lab) -> None:
    older = lab.runs[CLEAN_FROM - 1]
    assert older.health is None
    children, _ = render_page(data, "/", older.meta.run_id)
    measurement = _card(children, "Measurement")
    assert measurement.className == "card tone-neutral" and "not recorded" in dash_tree.text(measurement)
    assert not dash_tree.has(children, "measurement-notice")
    assert measurement_of(older).line == health_line(None)


def test_the_runs_table_has_a_measurement_column(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/runs", LATEST)
    table = dash_tree.find(children, "runs-table")
    rows = table.children[1].children
    shown = {_cell(table, "run", row).split(" ")[0]: _cell(table, "measurement", row) for row in rows}
    expected = {r.meta.run_id: r.health.verdict if r.health else "not recorded" for r in lab.in_reports()}
    assert shown == expected
    assert {"clean", "degraded", "not recorded"} == set(shown.values())
    (degraded_row,) = [row for row in rows if _cell(table, "measurement", row) == "degraded"]
    header = [dash_tree.text(th) for th in table.children[0].children.children]
    span = degraded_row.children[header.index("measurement")].children
    assert span.className == "measurement-degraded" and span.title.startswith("DEGRADED: ")


def test_a_degraded_current_run_makes_the_verdicts_inconclusive_and_says_why(data: DashboardData, lab: Lab) -> None:
    before, degraded = lab.runs[REGRESSION_FROM - 1], lab.runs[DEGRADED_RUN]
    view = compare_view(data, data.runs.catalog(), before.meta.run_id, degraded.meta.run_id, allow_plan_mismatch=False)
    assert "INCONCLUSIVE" in dash_tree.text(view)
    comparison = compare_metrics(from_result(before, source="b"), from_result(degraded, source="c")).comparison
    assert comparison is not None and comparison.inconclusive
    cards = dash_tree.find(view, "runs-verdicts-cards")
    labels = [dash_tree.text(c.children[0]) for c in cards.children]
    assert labels == [v.value for v in formatting.VERDICT_ORDER]
    inconclusive = cards.children[labels.index("inconclusive")]
    assert dash_tree.text(inconclusive.children[1]) == str(comparison.count(Verdict.INCONCLUSIVE))
    assert inconclusive.className == "card tone-warning"
    table = dash_tree.find(view, "runs-verdicts")
    assert [dash_tree.text(th) for th in table.children[0].children.children][-1] == "why"
    why = {_cell(table, "metric", row): _cell(table, "why", row) for row in table.children[1].children}
    for metric in comparison.metrics:
        assert why[metric.key] == formatting.detail_text(metric)
    flagged = [m for m in comparison.metrics if m.verdict is Verdict.INCONCLUSIVE]
    assert flagged and all("sample windows degraded" in why[m.key] for m in flagged)


def test_a_clean_regression_has_no_why(data: DashboardData, lab: Lab) -> None:
    before, after = lab.runs[REGRESSION_FROM - 1], lab.runs[-1]
    view = compare_view(data, data.runs.catalog(), before.meta.run_id, after.meta.run_id, allow_plan_mismatch=False)
    table = dash_tree.find(view, "runs-verdicts")
    rows = [r for r in table.children[1].children if r.className == "verdict-regressed"]
    assert rows and all(_cell(table, "why", r) == "" for r in rows)
