"""The address is the dashboard's state: a pasted link opens the run it names in a fresh browser (no
storage), choosing a run writes it into the address bar, an unknown run is named rather than replaced,
and the default view is the newest run of the current baseline's plan, even after a newer run of
another plan (a stress run) lands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import Browser

from dashboards.app import address_for_choice, create_app, render_page
from dashboards.context import DashboardData, select_run
from dashboards.links import (
    plan_from_search,
    run_from_path,
    run_from_search,
    run_href,
    run_page_href,
    selection_search,
)
from dashboards.pages.common import run_label
from harness.results import RunResult
from tests.dashboards.browser import CHROMIUM, TIMEOUT_MS, Visit, serving, visit
from tests.dashboards.conftest import BASELINE_INDEX, Lab, make_lab
from tests.dashboards.dash_tree import find, has, text
from tests.dashboards.run_factory import build_run, weekly_specs, write_run

STRESS_PLAN = "stress/queue_flood.yaml"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")


def stress_run(after: RunResult) -> RunResult:
    """A run of another plan, a day newer than `after`."""
    spec = replace(weekly_specs(1)[0], run_id="20261201T030000Z-queue_flood-5f5f",
                   started_at=after.meta.started_at + timedelta(days=1), seed=4242, plan_sha256="f1" * 32)
    built = build_run(spec)
    return built.model_copy(update={"meta": built.meta.model_copy(update={"plan_path": STRESS_PLAN})})


@pytest.fixture(scope="module")
def stressed_lab(tmp_path_factory: pytest.TempPathFactory, weekly_runs: tuple[RunResult, ...]) -> tuple[Lab, RunResult]:
    lab = make_lab(tmp_path_factory.mktemp("stressed"), weekly_runs)
    flood = stress_run(lab.newest)
    write_run(lab.results, flood)
    return lab, flood




@pytest.fixture(scope="module")
def stressed_url(stressed_lab: tuple[Lab, RunResult]) -> Iterator[str]:
    lab, _ = stressed_lab
    with serving(create_app(lab.results, lab.baselines)) as base:
        yield base


def test_addresses_round_trip() -> None:
    run_id = "20260901T030000Z-ci-1a2b"
    assert run_from_path(run_page_href(run_id)) == run_id
    assert run_from_search(run_href("/latency", run_id).split("?", 1)[1]) == run_id
    assert plan_from_search(selection_search(plan=STRESS_PLAN)) == STRESS_PLAN
    assert selection_search(run=run_id, plan=STRESS_PLAN) == f"?run={run_id}"  # a pinned run wins
    assert selection_search() == ""
    assert run_from_path("/latency") is None and run_from_path("/runs") is None


def test_a_choice_in_the_picker_becomes_an_address() -> None:
    assert address_for_choice("r1", "/latency") == ("/latency", "?run=r1")
    assert address_for_choice(f"plan:{STRESS_PLAN}", "/redis") == ("/redis", "?plan=stress%2Fqueue_flood.yaml")
    assert address_for_choice("r1", "/runs/r0") == ("/runs/r1", "")  # a run's own address stays one
    assert address_for_choice(f"plan:{STRESS_PLAN}", "/runs/r0") == ("/", "?plan=stress%2Fqueue_flood.yaml")


def test_the_default_is_the_baseline_plans_newest_run_and_a_plan_or_run_overrides_it(
        stressed_lab: tuple[Lab, RunResult]) -> None:
    lab, flood = stressed_lab
    data = DashboardData(lab.results, lab.baselines)
    catalog, baseline = data.runs.catalog(), data.baselines.current().result
    assert catalog.latest is not None and catalog.latest.run_id == flood.meta.run_id  # the stress run is newest
    default = select_run(catalog, None, baseline=baseline)
    assert default.selected is not None and default.selected.run_id == lab.newest.meta.run_id
    assert default.following and default.plan == "scenarios/baseline.yaml"
    by_plan = select_run(catalog, None, STRESS_PLAN, baseline=baseline)
    assert by_plan.selected is not None and by_plan.selected.run_id == flood.meta.run_id
    older = lab.runs[BASELINE_INDEX + 2].meta.run_id
    pinned = select_run(catalog, older, STRESS_PLAN, baseline=baseline)
    assert pinned.selected is not None and pinned.selected.run_id == older and not pinned.following


def test_an_unknown_run_or_plan_is_named_not_replaced(stressed_lab: tuple[Lab, RunResult]) -> None:
    lab, _ = stressed_lab
    data = DashboardData(lab.results, lab.baselines)
    children, _ = render_page(data, "/latency", "20990101T000000Z-gone")
    assert text(find(children, "unknown-run")).startswith(f"No run 20990101T000000Z-gone in {lab.results}")
    assert not has(children, "shown-run-id")
    children, _ = render_page(data, "/runs/20990101T000000Z-gone")
    assert "No run 20990101T000000Z-gone" in text(find(children, "unknown-run"))
    children, _ = render_page(data, "/", None, plan="stress/nope.yaml")
    assert text(find(children, "unknown-run")).startswith(f"No run of plan stress/nope.yaml in {lab.results}")


def _shown(tab: Visit) -> str:
    tab.page.wait_for_selector("#shown-run-id", timeout=TIMEOUT_MS)
    return tab.text("#shown-run-id")


@needs_chromium
@pytest.mark.parametrize("address", ["/runs/{id}", "/latency?run={id}", "/redis?run={id}"])
def test_a_pasted_link_opens_that_run_in_a_fresh_browser(browser: Browser, stressed_url: str,
                                                         stressed_lab: tuple[Lab, RunResult], address: str) -> None:
    lab, _ = stressed_lab
    older = lab.runs[BASELINE_INDEX + 2]  # neither the newest nor the baseline: only the link can name it
    with visit(browser, stressed_url) as tab:  # a new context: no cookies, no storage
        tab.open(address.format(id=older.meta.run_id))
        assert _shown(tab) == older.meta.run_id
        if address.startswith("/runs/"):
            assert tab.page.locator("#nav-overview.active").count() == 1
        # the navigation keeps the pinned run
        assert tab.page.get_attribute("#nav-guardrail", "href") == f"/guardrail?run={older.meta.run_id}"
        tab.page.click("#nav-guardrail")
        tab.page.wait_for_url(f"**/guardrail?run={older.meta.run_id}", timeout=TIMEOUT_MS)
        assert _shown(tab) == older.meta.run_id
        assert tab.errors == []


@needs_chromium
def test_choosing_a_run_writes_it_into_the_address_bar(browser: Browser, stressed_url: str,
                                                       stressed_lab: tuple[Lab, RunResult]) -> None:
    lab, flood = stressed_lab
    data = DashboardData(lab.results, lab.baselines)
    older = data.runs.catalog().get(lab.runs[BASELINE_INDEX + 4].meta.run_id)
    assert older is not None
    with visit(browser, stressed_url) as tab:
        tab.open("/latency")
        tab.page.click("#run-select")
        tab.page.get_by_role("option", name=run_label(older)).click()
        tab.page.wait_for_url(f"**/latency?run={older.run_id}", timeout=TIMEOUT_MS)
        tab.page.wait_for_function("(id) => document.getElementById('shown-run-id')?.innerText === id",
                                   arg=older.run_id, timeout=TIMEOUT_MS)
        pasted = tab.page.url
    with visit(browser, stressed_url) as fresh:  # what the address bar held opens the same run elsewhere
        fresh.page.goto(pasted)
        assert _shown(fresh) == older.run_id
        fresh.page.click("#run-select")  # the plans are groups: follow the stress plan's newest run
        fresh.page.get_by_role("option", name=f"Plan {STRESS_PLAN} · newest run (follows new runs)").click()
        fresh.page.wait_for_url("**/latency?plan=stress%2Fqueue_flood.yaml", timeout=TIMEOUT_MS)
        fresh.page.wait_for_function("(id) => document.getElementById('shown-run-id')?.innerText === id",
                                     arg=flood.meta.run_id, timeout=TIMEOUT_MS)
        assert f"following the newest run of {STRESS_PLAN}" in fresh.text(".run-meta")
        assert tab.errors == [] and fresh.errors == []


@needs_chromium
def test_after_a_stress_run_the_default_stays_on_the_baseline_plan_and_is_compared(
        browser: Browser, stressed_url: str, stressed_lab: tuple[Lab, RunResult]) -> None:
    lab, _ = stressed_lab
    baseline = lab.runs[BASELINE_INDEX]
    with visit(browser, stressed_url) as tab:
        tab.open("/")
        assert _shown(tab) == lab.newest.meta.run_id
        tab.page.wait_for_selector("#baseline-verdicts", timeout=TIMEOUT_MS)
        comparison = tab.text("#baseline-comparison")
        assert f"Baseline {baseline.meta.run_id}" in comparison and "Not compared" not in comparison
        assert "following the newest run of scenarios/baseline.yaml" in tab.text(".run-meta")
        assert tab.errors == []


@needs_chromium
def test_an_unknown_run_in_a_link_is_named(browser: Browser, stressed_url: str,
                                           stressed_lab: tuple[Lab, RunResult]) -> None:
    lab, _ = stressed_lab
    with visit(browser, stressed_url) as tab:
        tab.open("/latency?run=20990101T000000Z-gone")
        assert tab.text("#unknown-run").startswith(f"No run 20990101T000000Z-gone in {lab.results}")
        assert tab.page.locator("#shown-run-id").count() == 0
        assert tab.errors == []
