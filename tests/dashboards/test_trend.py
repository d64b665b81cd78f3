"""The trend panel on /latency: p95 per request across the plan's runs from the history, the current
baseline's band as the comparison engine draws it, change points where the lab regressed, every
point naming its run, and a click on a point opening that run's address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboards.app import render_page
from dashboards.comparison import P95_KEY, baseline_band, compare_metrics
from dashboards.context import LATEST, DashboardData
from dashboards.figures.trend import BAND_NAME, p95_history
from dashboards.history import change_points, merged_history, request_p95_series
from dashboards.links import run_href
from dashboards.pages.latency import clicked_run_href
from harness.baselines import History, Series, SeriesPoint
from harness.compare import CompareSettings, Direction, Unit, from_result
from harness.results import RunResult
from tests.dashboards import dash_tree
from tests.dashboards.conftest import BASELINE_INDEX, REGRESSION_FROM, Lab
from tests.dashboards.run_factory import write_run


@pytest.fixture(scope="module")
def data(lab: Lab) -> DashboardData:
    return DashboardData(lab.results, lab.baselines)


def test_every_run_of_the_plan_is_a_point_that_names_and_links_its_run(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/latency", LATEST)
    fig = dash_tree.figure(children, "latency-history")
    run_ids = [r.meta.run_id for r in lab.runs]
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(lines) == len(lab.newest.scenarios) + 1  # one per request, and all requests
    for line in lines:
        assert list(line.customdata) == run_ids  # history rows 0-5 and reports 3-11, each once, oldest first
    (whole_run,) = [t for t in lines if t.name == "all requests"]
    assert list(whole_run.y) == [r.metrics["http_req_duration"].trend.p95 for r in lab.runs]  # type: ignore[union-attr]
    for run_id in run_ids:  # what a click on each point opens
        click = {"points": [{"curveNumber": 0, "pointIndex": run_ids.index(run_id), "customdata": run_id}]}
        assert clicked_run_href(click) == run_href("/latency", run_id) == f"/latency?run={run_id}"


def test_a_click_on_the_band_or_nothing_opens_no_run() -> None:
    assert clicked_run_href(None) is None
    assert clicked_run_href({"points": []}) is None
    assert clicked_run_href({"points": [{"curveNumber": 0, "pointIndex": 0}]}) is None


def test_the_band_is_the_current_baselines_value_within_what_the_comparison_lets_pass(data: DashboardData,
                                                                                      lab: Lab) -> None:
    children, _ = render_page(data, "/latency", LATEST)
    fig = dash_tree.figure(children, "latency-history")
    (band,) = [t for t in fig.data if t.name == BAND_NAME]
    baseline = from_result(lab.runs[BASELINE_INDEX], source="baseline")
    value = baseline.metrics[P95_KEY].value
    comparison = compare_metrics(baseline, from_result(lab.newest, source="newest")).comparison
    assert comparison is not None
    (compared,) = [m for m in comparison.metrics if m.key == P95_KEY]
    rule = CompareSettings().rule_for(P95_KEY, Unit.MS)
    half = max(value * rule.threshold_pct / 100.0, rule.floor, compared.noise or 0.0)
    assert min(band.y) == pytest.approx(value - half) and max(band.y) == pytest.approx(value + half)
    assert set(band.x) == {lab.runs[0].meta.started_at, lab.newest.meta.started_at}  # across the whole history
    assert lab.runs[BASELINE_INDEX].meta.run_id in band.text[0]
    # the regressed runs (45 % slower) are above it, the runs before the regression inside it
    (whole_run,) = [t for t in fig.data if t.name == "all requests"]
    assert all(y > value + half for y in whole_run.y[REGRESSION_FROM:])
    assert all(value - half <= y <= value + half for y in whole_run.y[:REGRESSION_FROM])


def test_the_band_widens_to_the_noise_when_the_noise_is_wider_than_the_threshold(lab: Lab) -> None:
    baseline = from_result(lab.runs[BASELINE_INDEX], source="baseline")
    value = baseline.metrics[P95_KEY].value
    wide = baseline_band(baseline, settings=CompareSettings(threshold_pct=0.0, floors={u: 0.0 for u in Unit}))
    assert wide is not None and wide.low == wide.high == pytest.approx(value)  # no threshold, no noise: no band
    assert baseline_band(baseline, key="no/such/metric") is None


def test_change_points_are_marked_at_the_labs_regression_and_link_their_run(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/latency", LATEST)
    fig = dash_tree.figure(children, "latency-history")
    (marks,) = [t for t in fig.data if t.name == "change point: regression"]
    regressed = lab.runs[REGRESSION_FROM].meta
    assert set(marks.x) == {regressed.started_at} and set(marks.customdata) == {regressed.run_id}
    assert len(marks.x) == len(lab.newest.scenarios) + 1  # every request's p95 stepped there


def test_a_scenario_with_two_requests_draws_them_in_two_colours() -> None:
    start = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    keys = ("create_problems/POST /api/v1/problems/latency_p95_ms",
            "create_problems/GET /api/v1/problems/{id}/latency_p95_ms",
            "browse_problems/GET /api/v1/problems/latency_p95_ms")
    series = [Series(key=k, unit=Unit.MS, direction=Direction.LOWER_IS_BETTER,
                     points=(SeriesPoint(run_id="r1", moment=start, value=10.0 + i),)) for i, k in enumerate(keys)]
    fig = p95_history(series, {}, colours={})
    colours = [t.line.color for t in fig.data]
    assert len(set(colours)) == len(keys), colours


def test_one_run_is_ticked_once_without_fractions_of_a_second(tmp_path: Path,
                                                              weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path / "reports", weekly_runs[0])
    children, _ = render_page(DashboardData(tmp_path / "reports", tmp_path / "baselines"), "/latency", LATEST)
    fig = dash_tree.figure(children, "latency-history")
    moment = weekly_runs[0].meta.started_at
    assert list(fig.layout.xaxis.tickvals) == [moment]
    assert list(fig.layout.xaxis.ticktext) == [f"{moment:%H:%M:%S}"]
    assert f"{moment:%Y-%m-%d}" in fig.layout.title.text
    assert "1 run of " in dash_tree.text(children) and "1 runs" not in dash_tree.text(children)


def test_runs_across_days_are_ticked_by_date_and_runs_within_a_day_by_time(weekly_runs: tuple[RunResult, ...]) -> None:
    rows = [(from_result(r, source=r.meta.run_id), r.meta.ended_at) for r in weekly_runs]
    series = request_p95_series(merged_history(History(rows=()), rows))
    weekly = p95_history(series, change_points(series), colours={})
    assert weekly.layout.xaxis.tickformat == "%Y-%m-%d" and weekly.layout.xaxis.tickvals is None
    start = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    same_day = [Series(key=P95_KEY, unit=Unit.MS, direction=Direction.LOWER_IS_BETTER,
                       points=tuple(SeriesPoint(run_id=f"r{i}", moment=start + timedelta(minutes=20 * i), value=10.0)
                                    for i in range(3)))]
    hourly = p95_history(same_day, {}, colours={})
    assert hourly.layout.xaxis.tickformat == "%H:%M:%S" and "2026-09-01" in hourly.layout.title.text
