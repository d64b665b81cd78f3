"""Pages and callbacks without a browser: what each page renders for the fixture runs, the empty
and broken states, the poll (cheap when nothing changed), the Runs comparison, the Costs tier."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from dash.exceptions import PreventUpdate

from dashboards.app import create_app, poll, render_page, run_options, signature_of
from dashboards.components import DEMO_COMMAND, SMOKE_RUN_COMMAND
from dashboards.context import LATEST, DashboardData
from dashboards.history import request_p95_series, same_plan
from dashboards.pages import PAGES, page_for
from dashboards.pages.costs import tornado_for
from dashboards.pages.runs import CURRENT_BASELINE, compare_view
from harness.results import RunResult
from tests.dashboards import dash_tree
from tests.dashboards.conftest import BASELINE_INDEX, REGRESSION_FROM, Lab, make_lab
from tests.dashboards.run_factory import write_run

PATHS = [page.path for page in PAGES]


@pytest.fixture(scope="module")
def data(lab: Lab) -> DashboardData:
    return DashboardData(lab.results, lab.baselines)


@pytest.mark.parametrize("path", PATHS)
def test_every_page_renders_the_newest_run_without_an_error(data: DashboardData, lab: Lab, path: str) -> None:
    children, status = render_page(data, path, LATEST)
    assert not dash_tree.has(children, "page-error"), dash_tree.text(children)
    assert not dash_tree.has(children, "empty-state")
    assert f"{len(lab.in_reports())} runs in {lab.results}/" in status
    if path != "/runs":
        assert dash_tree.text(dash_tree.find(children, "shown-run-id")) == lab.newest.meta.run_id


def test_overview_compares_the_newest_run_with_the_current_baseline(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/", LATEST)
    text = dash_tree.text(dash_tree.find(children, "baseline-comparison"))
    assert f"Baseline {lab.runs[BASELINE_INDEX].meta.run_id}" in text
    assert "REGRESSION" in text
    verdicts = dash_tree.find(children, "baseline-verdicts")
    rows = verdicts.children[1].children
    assert rows[0].className == "verdict-regressed"  # regressions first
    assert any("(all)/(all)/latency_p95_ms" in dash_tree.text(r) and r.className == "verdict-regressed" for r in rows)
    thresholds = dash_tree.find(children, "thresholds-table")
    assert len(thresholds.children[1].children) == len(lab.newest.thresholds)


def test_overview_of_the_baseline_run_itself_says_so(data: DashboardData, lab: Lab) -> None:
    baseline_id = lab.runs[BASELINE_INDEX].meta.run_id
    children, _ = render_page(data, "/", baseline_id)
    assert f"This run ({baseline_id}) is the current baseline." in dash_tree.text(children)


def test_choosing_an_older_run_changes_what_the_pages_show(data: DashboardData, lab: Lab) -> None:
    older = lab.in_reports()[1]
    children, _ = render_page(data, "/redis", older.meta.run_id)
    assert dash_tree.text(dash_tree.find(children, "shown-run-id")) == older.meta.run_id
    assert not dash_tree.has(children, "redis-policy-warning") and dash_tree.has(children, "redis-policy-ok")
    used = dash_tree.figure(children, "redis-memory").data[0]
    assert list(used.y) == [s.used_memory / 1024 / 1024 for s in older.samples.redis]  # type: ignore[operator]
    newest, _ = render_page(data, "/redis", LATEST)
    assert "allkeys-lru" in dash_tree.text(dash_tree.find(newest, "redis-policy-warning"))


def test_latency_history_holds_every_run_of_the_plan_and_lists_the_change_points(data: DashboardData, lab: Lab) -> None:
    children, _ = render_page(data, "/latency", LATEST)
    fig = dash_tree.figure(children, "latency-history")
    (whole_run,) = [t for t in fig.data if t.name == "all requests"]
    assert list(whole_run.customdata) == [r.meta.run_id for r in lab.runs]  # history rows 0-5 + reports 3-11
    table = dash_tree.find(children, "change-points-table")
    rows = table.children[1].children
    assert rows and all(lab.runs[REGRESSION_FROM].meta.run_id in dash_tree.text(r) for r in rows)
    assert all(r.className == "change-regression" for r in rows)


def test_history_of_another_plan_is_left_out(data: DashboardData, lab: Lab) -> None:
    history, problems = data.history(data.runs.catalog())
    assert problems == []
    assert len(same_plan(history, lab.newest.meta.plan_sha256).rows) == len(lab.runs)
    assert same_plan(history, "another-plan").rows == ()
    assert all(s.key.count("/") >= 2 for s in request_p95_series(history))
    assert not any(s.key.startswith("guardrail_latency/") for s in request_p95_series(history))


def test_guardrail_page_shows_the_worker_and_the_plans_budget(data: DashboardData) -> None:
    children, _ = render_page(data, "/guardrail", LATEST)
    p95 = dash_tree.figure(children, "guardrail-p95")
    assert [a.text for a in p95.layout.annotations] == ["budget p(95)<2,000 ms (plan)"]
    # sources named as a person would, never a URL whose port changes every run
    assert dash_tree.figure(children, "guardrail-rate").data[0].name == "guardrail worker"
    assert dash_tree.figure(children, "guardrail-queue").data[0].name == "guardrail worker, server metrics"
    cards = dash_tree.text(dash_tree.find(children, "guardrail-cards"))
    assert not re.search(r"\d\.\d+ s\b", cards) and "budget 2,000 ms" in cards  # one unit for latencies: ms


def test_costs_page_projects_from_the_shown_run(data: DashboardData) -> None:
    children, _ = render_page(data, "/costs", LATEST)
    assert dash_tree.has(children, "costs-projection") and not dash_tree.has(children, "costs-projection-note")
    tiers = dash_tree.figure(children, "costs-tiers")
    assert {t.name for t in tiers.data if t.name} == {"Infrastructure (fixed)", "AI APIs (variable)"}


def test_costs_tornado_follows_the_chosen_tier(data: DashboardData) -> None:
    model, error = data.cost_model()
    assert model is not None, error
    first, last = model.tiers[0], model.tiers[-1]
    assert first.name in tornado_for(model, first.id).layout.title.text
    assert last.name in tornado_for(model, last.id).layout.title.text
    assert "No tier" in tornado_for(model, "nope").layout.annotations[0].text


def test_runs_compare_view_gives_the_engines_verdicts(data: DashboardData, lab: Lab) -> None:
    catalog = data.runs.catalog()
    before, after = lab.runs[REGRESSION_FROM - 1].meta.run_id, lab.runs[REGRESSION_FROM].meta.run_id
    regressed = compare_view(data, catalog, before, after, allow_plan_mismatch=False)
    assert "REGRESSION" in dash_tree.text(regressed)
    steady = compare_view(data, catalog, lab.runs[4].meta.run_id, lab.runs[5].meta.run_id, allow_plan_mismatch=False)
    assert "no regression" in dash_tree.text(steady)
    against_store = compare_view(data, catalog, CURRENT_BASELINE, after, allow_plan_mismatch=False)
    assert "REGRESSION" in dash_tree.text(against_store)
    assert "Choose two runs" in dash_tree.text(compare_view(data, catalog, before, None, allow_plan_mismatch=False))


def test_runs_of_different_plans_are_compared_only_when_allowed(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    first = weekly_runs[0]
    smoke = weekly_runs[1].model_copy(update={"meta": weekly_runs[1].meta.model_copy(update={"profile": "smoke"})})
    write_run(tmp_path, first)
    write_run(tmp_path, smoke)
    data = DashboardData(tmp_path, tmp_path / "baselines")
    catalog = data.runs.catalog()
    refused = dash_tree.text(compare_view(data, catalog, first.meta.run_id, smoke.meta.run_id, allow_plan_mismatch=False))
    assert "Not compared" in refused and "profile" in refused
    allowed = dash_tree.text(compare_view(data, catalog, first.meta.run_id, smoke.meta.run_id, allow_plan_mismatch=True))
    assert "metrics compared" in allowed


@pytest.mark.parametrize("path", PATHS)
def test_with_no_runs_every_page_says_how_to_make_one(tmp_path: Path, path: str) -> None:
    data = DashboardData(tmp_path / "reports", tmp_path / "baselines")
    children, status = render_page(data, path, LATEST)
    empty = dash_tree.text(dash_tree.find(children, "empty-state"))
    assert SMOKE_RUN_COMMAND in empty and DEMO_COMMAND in empty
    assert status.startswith("0 runs")
    assert not dash_tree.has(children, "page-error")
    if path == "/costs":  # the model prices the tiers without a run
        assert dash_tree.has(children, "costs-tiers")
        assert "No run yet" in dash_tree.text(dash_tree.find(children, "costs-projection-note"))


def test_a_broken_file_is_named_and_the_other_runs_still_render(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    good = write_run(tmp_path / "reports", weekly_runs[0])
    broken = tmp_path / "reports" / "20261101T000000Z-baseline-dead" / "result.json"
    broken.parent.mkdir()
    broken.write_text(good.read_text()[:4000])
    data = DashboardData(tmp_path / "reports", tmp_path / "baselines")
    for path in PATHS:
        children, status = render_page(data, path, LATEST)
        banner = dash_tree.text(dash_tree.find(children, "broken-files"))
        assert str(broken) in banner and "truncated" in banner
        assert "1 unreadable" in status
        assert not dash_tree.has(children, "page-error")
    children, _ = render_page(data, "/", LATEST)
    assert dash_tree.text(dash_tree.find(children, "shown-run-id")) == weekly_runs[0].meta.run_id
    options = run_options(data.runs.catalog())
    assert {"label": "20261101T000000Z-baseline-dead (unreadable)", "value": "20261101T000000Z-baseline-dead",
            "disabled": True} in options


def test_a_broken_baseline_is_named_on_the_overview(tmp_path: Path, lab: Lab) -> None:
    baselines = tmp_path / "baselines"
    shutil.copytree(lab.baselines, baselines)
    (baselines / "current.json").write_text("{not json")
    children, _ = render_page(DashboardData(lab.results, baselines), "/", LATEST)
    text = dash_tree.text(dash_tree.find(children, "baseline-comparison"))
    assert "current baseline cannot be read" in text and str(baselines / "current.json") in text


def test_without_a_baseline_the_overview_says_how_to_promote_one(tmp_path: Path, lab: Lab) -> None:
    children, _ = render_page(DashboardData(lab.results, tmp_path / "none"), "/", LATEST)
    assert "bwperf baseline promote" in dash_tree.text(dash_tree.find(children, "baseline-comparison"))


def test_the_poll_is_cheap_when_nothing_changed_and_reports_a_new_run(tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    lab = make_lab(tmp_path, weekly_runs[:5])
    data = DashboardData(lab.results, lab.baselines)
    render_page(data, "/", LATEST)
    known = signature_of(data)
    loads = data.runs.loads
    with pytest.raises(PreventUpdate):
        poll(data, known)
    assert data.runs.loads == loads  # nothing read
    write_run(lab.results, weekly_runs[5])
    signature, options = poll(data, known)
    assert signature != known
    assert options[1]["value"] == weekly_runs[5].meta.run_id  # newest first, after "Newest run"
    assert data.runs.loads == loads + 1  # only the new file was read
    children, _ = render_page(data, "/", LATEST)
    assert dash_tree.text(dash_tree.find(children, "shown-run-id")) == weekly_runs[5].meta.run_id


def test_an_unknown_path_says_so_and_pages_are_found_with_or_without_a_slash(data: DashboardData) -> None:
    children, _ = render_page(data, "/nowhere", LATEST)
    assert "No page at /nowhere" in dash_tree.text(children)
    assert page_for("/latency/") is page_for("/latency") is not None
    assert page_for(None) is page_for("/")


def test_the_app_serves_its_layout_and_its_own_assets(lab: Lab) -> None:
    client = create_app(lab.results, lab.baselines).server.test_client()
    index = client.get("/")
    assert index.status_code == 200
    assert b"/assets/style.css" in index.data
    assert b"cdn" not in index.data.lower() and b"unpkg" not in index.data.lower()
    assert client.get("/assets/style.css").status_code == 200
    layout = client.get("/_dash-layout").get_json()
    assert layout["props"]["className"] == "app"


def test_a_run_with_an_unreadable_histogram_is_listed_unreadable_with_the_reason(tmp_path: Path, lab: Lab) -> None:
    """Result files are checked on load (harness.results.io): a run whose histogram cannot be read
    is a broken entry naming the file and the histogram; the pages show the readable runs."""
    run = lab.newest
    request = run.requests[0]
    corrupt = request.model_copy(update={"duration_ms": request.duration_ms.model_copy(update={"hdr": "bm90IGhkcg=="})})
    path = write_run(tmp_path / "reports", run.model_copy(update={"requests": [corrupt, *run.requests[1:]]}))
    data = DashboardData(tmp_path / "reports", lab.baselines)
    catalog = data.runs.catalog()
    [broken] = catalog.broken
    assert broken.error is not None and str(path) in broken.error
    assert "requests[0].duration_ms.hdr holds a histogram that cannot be read" in broken.error
    overview, _ = render_page(data, "/", LATEST)
    latency, _ = render_page(data, "/latency", LATEST)
    assert not dash_tree.has(overview, "page-error") and not dash_tree.has(latency, "page-error")


def test_a_page_that_fails_on_a_runs_data_shows_an_error_naming_the_file(
        data: DashboardData, lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboards import app as app_module
    from dashboards.pages import Page

    def fail(_ctx: object) -> list[object]:
        raise ValueError("a value no figure expected")

    monkeypatch.setattr(app_module, "page_for", lambda _path: Page("/", "Overview", fail, None, False))
    children, _ = render_page(data, "/", LATEST)
    error = dash_tree.text(dash_tree.find(children, "page-error"))
    assert str(lab.results / lab.newest.meta.run_id / "result.json") in error
    assert "ValueError: a value no figure expected" in error


def test_a_run_without_a_p95_budget_shows_the_model_and_why_there_is_no_projection(
        tmp_path: Path, weekly_runs: tuple[RunResult, ...]) -> None:
    write_run(tmp_path, weekly_runs[0].model_copy(update={"thresholds": []}))
    children, _ = render_page(DashboardData(tmp_path, tmp_path / "baselines"), "/costs", LATEST)
    note = dash_tree.text(dash_tree.find(children, "costs-projection-note"))
    assert note.startswith("No projection from this run") and "p(95)<N" in note
    assert dash_tree.has(children, "costs-tiers") and not dash_tree.has(children, "costs-projection")
