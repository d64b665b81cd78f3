"""The dashboard in a real browser (Debian's headless Chromium): every page loads without console
errors and fetches nothing from outside 127.0.0.1, charts carry the fixture runs' numbers,
choosing a run changes them, the empty and broken states read right, and a result file that
changes on disk shows up without a reload. Screenshots land in reports/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dashboards.app import create_app
from dashboards.components import SMOKE_RUN_COMMAND
from dashboards.data import RunStore
from dashboards.pages import PAGES
from dashboards.pages.common import run_label
from harness.results import RunResult
from tests.dashboards.browser import (
    CHROMIUM,
    SCREENSHOTS,
    TIMEOUT_MS,
    Visit,
    serving,
    visit,
)
from tests.dashboards.conftest import Lab
from tests.dashboards.run_factory import DEGRADED_RUN, MIB, RunSpec, build_run, write_run

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (.ci/run installs it)")

LIVE_POLL_S = 0.25






def _p95_row(tab: Visit, scenario: str) -> list[float | None]:
    (trace,) = [t for t in tab.traces("latency-over-run") if t["name"] == scenario and t["yaxis"] == "y2"]
    return trace["y"]


def _windows(run: RunResult, scenario: str) -> list[float | None]:
    return [p.p95_ms for p in run.time_series if p.scenario == scenario]


def _label(lab: Lab, run: RunResult) -> str:
    entry = RunStore(lab.results).catalog().get(run.meta.run_id)
    assert entry is not None
    return run_label(entry)


def test_every_page_loads_without_console_errors_and_nothing_leaves_localhost(browser: Browser, lab_url: str) -> None:
    with visit(browser, lab_url) as tab:
        for page in PAGES:
            tab.open(page.path)
            assert tab.page.locator(f"#nav-{page.name.lower()}.active").count() == 1
            tab.screenshot(page.name.lower())
        assert tab.errors == []
        assert tab.foreign_requests() == []
        assert any("/assets/style.css" in url for url in tab.requests)
        assert any(url.endswith("plotly.min.js") for url in tab.requests)  # plotly.js from this server
    assert {p.name for p in SCREENSHOTS.glob("*.png")} >= {f"{page.name.lower()}.png" for page in PAGES}


def test_the_latency_charts_draw_the_newest_runs_windows_and_the_history(browser: Browser, lab_url: str, lab: Lab) -> None:
    with visit(browser, lab_url) as tab:
        tab.open("/latency")
        for scenario in lab.newest.scenarios:
            assert _p95_row(tab, scenario) == _windows(lab.newest, scenario)
        budgets = sorted(s["y0"] for s in tab.layout("latency-over-run")["shapes"])
        assert budgets == [150, 200, 500]
        (whole_run,) = [t for t in tab.traces("latency-history") if t["name"] == "all requests"]
        assert whole_run["customdata"] == [r.meta.run_id for r in lab.runs]
        assert whole_run["y"] == [r.metrics["http_req_duration"].trend.p95 for r in lab.runs]  # type: ignore[union-attr]
        assert "change point: regression" in [t["name"] for t in tab.traces("latency-history")]
        assert tab.page.locator("#change-points-table tbody tr").count() == 5  # four scenarios and the whole run
        assert tab.errors == []


def test_choosing_a_run_changes_the_charts_on_every_page(browser: Browser, lab_url: str, lab: Lab) -> None:
    older = lab.in_reports()[2]
    with visit(browser, lab_url) as tab:
        tab.open("/redis")
        assert tab.page.locator("#redis-policy-warning").is_visible()
        newest_used = tab.traces("redis-memory")[0]["y"]
        tab.page.click("#run-select")
        tab.page.get_by_role("option", name=_label(lab, older)).click()
        older_used = [s.used_memory / MIB for s in older.samples.redis]  # type: ignore[operator]
        assert older_used != newest_used
        tab.wait_for_trace("redis-memory", name="used_memory", y=older_used)
        assert tab.text("#shown-run-id") == older.meta.run_id
        assert tab.page.locator("#redis-policy-warning").count() == 0
        assert tab.page.locator("#redis-policy-ok").is_visible()
        tab.screenshot("redis-older-run")
        tab.page.click("#nav-latency")  # client-side navigation keeps the chosen run
        tab.page.wait_for_selector("#latency-over-run .js-plotly-plot", timeout=TIMEOUT_MS)
        tab.wait_for_trace("latency-over-run", name="browse_problems", yaxis="y2", y=_windows(older, "browse_problems"))
        assert tab.text("#shown-run-id") == older.meta.run_id
        assert tab.errors == []


def test_a_degraded_run_shows_its_measurement_and_why_its_verdicts_are_inconclusive(
        browser: Browser, lab_url: str, lab: Lab) -> None:
    degraded = lab.runs[DEGRADED_RUN]
    assert degraded.health is not None
    card = '.card:has(.card-label:text-is("Measurement")) .card-value'
    with visit(browser, lab_url) as tab:
        tab.open("/")
        assert tab.text(card) == "clean"
        assert tab.page.locator(".card.tone-ok:has(.card-label:text-is(\"Measurement\"))").count() == 1
        tab.page.click("#run-select")
        tab.page.get_by_role("option", name=_label(lab, degraded)).click()
        tab.page.wait_for_selector("#measurement-notice", timeout=TIMEOUT_MS)
        assert tab.text(card) == "degraded"
        assert tab.page.locator(".card.tone-warning:has(.card-label:text-is(\"Measurement\"))").count() == 1
        assert tab.page.locator("#measurement-notice li").all_inner_texts() == degraded.health.reasons
        tab.page.wait_for_selector("#baseline-verdicts tr.verdict-inconclusive", timeout=TIMEOUT_MS)
        assert "INCONCLUSIVE" in tab.text("#baseline-comparison")
        inconclusive = tab.page.locator('#baseline-verdicts-cards .card:has(.card-label:text-is("inconclusive"))')
        assert int(inconclusive.locator(".card-value").inner_text()) > 0
        assert tab.page.locator("#baseline-verdicts thead th").last.inner_text() == "why"
        why = tab.page.locator("#baseline-verdicts tr.verdict-inconclusive td").last.inner_text()
        assert "current run: host CPU pressure" in why and "sample windows degraded" in why
        tab.screenshot("overview-degraded-measurement")
        tab.page.click("#nav-runs")
        row = tab.page.locator("#runs-table tbody tr", has_text=degraded.meta.run_id)
        assert row.locator("span.measurement-degraded").inner_text() == "degraded"
        assert tab.page.locator("#runs-table thead th").nth(8).inner_text() == "measurement"
        assert tab.errors == []


def test_with_no_runs_each_page_says_how_to_make_one(browser: Browser, tmp_path: Path) -> None:
    with serving(create_app(tmp_path / "reports", tmp_path / "baselines")) as base, visit(browser, base) as tab:
        for page in PAGES:
            tab.open(page.path)
            assert SMOKE_RUN_COMMAND in tab.text("#empty-state")
            assert "make demo" in tab.text("#empty-state")
        tab.open("/")
        tab.screenshot("empty-overview")
        assert tab.errors == [] and tab.foreign_requests() == []


def test_a_broken_result_file_is_named_while_the_rest_renders(browser: Browser, tmp_path: Path,
                                                               weekly_runs: tuple[RunResult, ...]) -> None:
    good = write_run(tmp_path / "reports", weekly_runs[0])
    broken = tmp_path / "reports" / "20261101T000000Z-baseline-dead" / "result.json"
    broken.parent.mkdir()
    broken.write_text(good.read_text()[:3000])
    with serving(create_app(tmp_path / "reports", tmp_path / "baselines")) as base, visit(browser, base) as tab:
        tab.open("/")
        banner = tab.text("#broken-files")
        assert str(broken) in banner and "truncated" in banner
        assert tab.text("#shown-run-id") == weekly_runs[0].meta.run_id
        assert tab.traces("overview-p95")[0]["x"] == list(weekly_runs[0].scenarios)
        tab.screenshot("broken-file-overview")
        assert tab.errors == []


def test_the_live_page_follows_a_result_file_that_changes_on_disk(browser: Browser, tmp_path: Path,
                                                                   weekly_runs: tuple[RunResult, ...]) -> None:
    results = tmp_path / "reports"
    first, arriving = weekly_runs[0], weekly_runs[1]
    write_run(results, first)
    app = create_app(results, tmp_path / "baselines", poll_interval_s=LIVE_POLL_S)
    with serving(app) as base, visit(browser, base) as tab:
        tab.open("/latency")
        assert tab.text("#shown-run-id") == first.meta.run_id
        tab.page.evaluate("window.__sameDocument = true")
        # a run being written: half a file first (the banner names it), then the whole file
        target = results / arriving.meta.run_id / "result.json"
        target.parent.mkdir(parents=True)
        complete = write_run(tmp_path / "staging", arriving).read_text()
        target.write_text(complete[: len(complete) // 3])
        tab.page.wait_for_selector("#broken-files", timeout=TIMEOUT_MS)
        assert str(target) in tab.text("#broken-files")
        write_run(results, arriving)
        tab.page.wait_for_function(
            "(id) => document.getElementById('shown-run-id')?.innerText === id", arg=arriving.meta.run_id,
            timeout=TIMEOUT_MS)
        tab.wait_for_trace("latency-over-run", name="browse_problems", yaxis="y2", y=_windows(arriving, "browse_problems"))
        assert tab.page.locator("#broken-files").count() == 0
        # the same run rewritten (say, by a re-export): the charts take its new numbers
        rewritten = build_run(RunSpec(run_id=arriving.meta.run_id, started_at=arriving.meta.started_at, seed=999,
                                      latency_factor=2.0))
        write_run(results, rewritten)
        assert _windows(rewritten, "browse_problems") != _windows(arriving, "browse_problems")
        tab.wait_for_trace("latency-over-run", name="browse_problems", yaxis="y2", y=_windows(rewritten, "browse_problems"))
        assert tab.page.evaluate("window.__sameDocument") is True  # followed without a reload
        tab.screenshot("live-latency")
        assert tab.errors == []
