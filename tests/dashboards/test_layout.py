"""Every page, report.html and the cost report read on a phone (390x844) and a desktop (1440x900) in
real headless Chromium: the document is no wider than the window, and no text inside a chart sits
on another (tick labels, legend entries, annotations, titles). Each view is saved as
reports/screenshots/<page>-<width>x<height>.png so a reviewer can look without running anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from typer.testing import CliRunner

from bwperf.cli import main_app
from dashboards.pages import PAGES, Page
from harness.report import write_report
from tests.dashboards.browser import CHROMIUM, SCREENSHOTS, VIEWPORTS, Visit, viewport_name, visit
from tests.dashboards.conftest import Lab

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (.ci/run installs it)")

SIZES = pytest.mark.parametrize("viewport", VIEWPORTS, ids=viewport_name)
EVERY_PAGE = pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name.lower())






@pytest.fixture(scope="module")
def reports(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html of the newest lab run and the cost report projected from it, written by the real code."""
    out = tmp_path_factory.mktemp("reports")
    run_dir = lab.results / lab.newest.meta.run_id
    written = write_report(run_dir, formats=["html"], out_dir=out)
    assert written.html is not None
    costs = out / "cost-report.html"
    invoked = CliRunner().invoke(main_app, ["cost", "report", "--run", str(run_dir), "--format", "html",
                                            "--out", str(costs)])
    assert invoked.exit_code == 0, invoked.output
    return {"report": written.html, "cost-report": costs}


def _fits(tab: Visit) -> None:
    width, window = tab.page_width()
    assert width <= window, f"{tab.page.url} is {width} px wide in a {window} px window: {tab.too_wide()}"


@SIZES
@EVERY_PAGE
def test_every_page_fits_the_window(browser: Browser, lab_url: str, page: Page, viewport: tuple[int, int]) -> None:
    with visit(browser, lab_url, viewport) as tab:
        tab.open(page.path)
        shot = tab.screenshot(f"{page.name.lower()}-{viewport_name(viewport)}")
        _fits(tab)
        assert tab.errors == []
    assert shot.parent == SCREENSHOTS and shot.stat().st_size > 0


@SIZES
@EVERY_PAGE
def test_no_text_overlaps_another_inside_a_chart(browser: Browser, lab_url: str, page: Page,
                                                 viewport: tuple[int, int]) -> None:
    with visit(browser, lab_url, viewport) as tab:
        tab.open(page.path)
        charts = tab.page.locator("#page .dash-graph").count()
        assert charts == 0 or tab.page.locator("#page .js-plotly-plot svg text").count() > 0  # not vacuous
        assert tab.overlapping_texts() == []


@SIZES
@pytest.mark.parametrize("name", ["report", "cost-report"])
def test_the_reports_fit_the_window(browser: Browser, reports: dict[str, Path], name: str,
                                    viewport: tuple[int, int]) -> None:
    with visit(browser, "file://", viewport) as tab:
        tab.open_file(reports[name])
        tab.screenshot(f"{name}-{viewport_name(viewport)}")
        assert tab.page.locator(".plotly-graph-div").count() > 0
        assert tab.page.locator(".js-plotly-plot svg text").count() > 0  # the overlap check below is not vacuous
        _fits(tab)
        assert tab.overlapping_texts() == []


def test_the_overlap_check_finds_overlapping_labels(browser: Browser, tmp_path: Path) -> None:
    """The check itself can fail: two annotations drawn on the same spot are reported, apart they are not."""
    page = tmp_path / "overlap.html"
    plotly_js = next(Path(__import__("plotly").__file__).parent.glob("package_data/plotly.min.js"))
    page.write_text(f"""<html><head><script src="{plotly_js.as_uri()}"></script></head><body>
<div id="g" class="plotly-graph-div"></div><script>
Plotly.newPlot('g', [{{y: [1, 2]}}], {{width: 500, height: 300, annotations: [
  {{x: 0, y: 1, text: 'first label', showarrow: false}}, {{x: 0, y: 1, text: 'second label', showarrow: false}},
  {{x: 1, y: 2, text: 'far away', showarrow: false}}]}});
</script></body></html>""")
    with visit(browser, "file://") as tab:
        tab.open_file(page)
        pairs = tab.overlapping_texts()
    assert ("g: first label", "second label") in pairs
    assert not any("far away" in first or "far away" in second for first, second in pairs)
