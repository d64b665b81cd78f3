"""The dashboard's insights panel in real headless Chromium: a run that dropped iterations shows the
insight's sentence and evidence; a clean run gives no panel."""

from __future__ import annotations

from dash import Dash, html
from playwright.sync_api import Browser

from dashboards.insights_panel import insights_panel
from harness.insights import find_insights
from harness.results.model import RunResult
from tests.dashboards.browser import PHONE, serving, visit

from .conftest import SCENARIO


def test_a_clean_run_has_no_panel(clean_run: RunResult) -> None:
    assert insights_panel(clean_run) is None


def test_the_panel_shows_each_insight_with_its_evidence(clean_run: RunResult, browser: Browser) -> None:
    stats = clean_run.scenarios[SCENARIO].model_copy(update={"dropped_iterations": 75, "vus_max": 3})
    result = clean_run.model_copy(update={"scenarios": {**clean_run.scenarios, SCENARIO: stats}})
    [expected] = find_insights(result)
    app = Dash(__name__)
    app.layout = html.Div([insights_panel(result)], id="page")
    with serving(app) as base, visit(browser, base, PHONE) as tab:
        tab.page.goto(base + "/")
        tab.page.wait_for_selector("#insights .insight")
        assert tab.text("#insights h2") == "Insights (1)"
        item = tab.page.locator("#insights .insight")
        assert item.get_attribute("data-kind") == "dropped_iterations"
        assert item.locator("strong").inner_text() == expected.title
        assert "75 dropped iterations: about" in expected.title
        assert tab.page.locator("#insights li").count() == len(expected.evidence)
        width, inner = tab.page_width()
        assert width <= inner
        assert tab.foreign_requests() == []
