"""report.html of a stress-like run in real headless Chromium, at a phone's 390 px and a desktop's
1440 px: the page is no wider than the window (wide tables scroll inside their own box), the
reworked charts have no text over text, and a screenshot of each size lands in reports/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.report.writer import write_report
from harness.results import save_result
from harness.results.model import RunResult
from tests.dashboards.browser import VIEWPORTS, visit

# The charts this page's fixes and additions touched: none may draw a label over another.
CHECKED_CHARTS = ("timeline", "distribution", "generator", "redis", "bend")




@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_the_stress_report_fits_the_window_and_reads_clearly(browser: Browser, stress_result: RunResult,
                                                            tmp_path: Path, viewport: tuple[int, int]) -> None:
    save_result(stress_result, tmp_path / "result.json")
    html = write_report(tmp_path).html
    assert html is not None
    with visit(browser, "file://", viewport) as tab:
        tab.page.goto(html.as_uri())
        tab.page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p._fullLayout)")
        width, inner = tab.page_width()
        assert width <= inner == viewport[0]
        goals_box = tab.page.evaluate(
            "() => { const t = document.getElementById('goals-table'); const w = t.parentElement;"
            " return [w.className, w.getBoundingClientRect().right, t.getBoundingClientRect().width]; }")
        assert goals_box[0] == "table-wrap" and goals_box[1] <= viewport[0]
        if viewport[0] > 1000:  # on a desktop the long cells wrap: the goals table fits without scrolling
            assert goals_box[2] <= viewport[0]
        for chart in CHECKED_CHARTS:
            assert tab.overlapping_texts(f"chart-{chart}") == [], chart
        assert tab.overlapping_texts() == []  # every other chart of the page too
        assert tab.page.inner_text("#insights").count("dropped iterations") == 1
        tab.screenshot(f"report-stress-{viewport[0]}x{viewport[1]}")
        assert [e for e in tab.errors if "Content Security Policy" not in e] == []
