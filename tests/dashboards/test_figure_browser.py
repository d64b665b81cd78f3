"""The figures as a reader sees them, in headless Chromium at a phone's and a desktop's width: no
label drawn over another (the two latency budgets), whole tier names on the Costs charts, a trend
point that opens its run when clicked, "within noise" not painted as a warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from playwright.sync_api import Browser

from dashboards.figures.guardrail import llm_cost_figure, queue_length_figure
from dashboards.figures.redis import MIB, peaks_figure
from dashboards.guardrail import guardrail_summary
from dashboards.links import run_href
from dashboards.redis_memory import run_peak
from harness.costs import DEFAULT_MODEL_PATH, load_model, tornado, tornado_figure
from harness.costs.figure_layout import for_any_width as readable
from harness.results import RunResult
from harness.results.model import RedisSample, Samples
from tests.dashboards.browser import (
    CHROMIUM,
    DESKTOP,
    VIEWPORTS,
    visit,
)
from tests.dashboards.conftest import Lab

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (.ci/run installs it)")

# Every x tick label of a chart, and whether its box lies inside the chart's SVG (a cut label does not).
_TICKS_JS = """(id) => {
  const svg = document.querySelector('#' + id + ' .main-svg').getBoundingClientRect();
  return [...document.querySelectorAll('#' + id + ' .xtick text')].map(t => {
    const b = t.getBoundingClientRect();
    return {text: [...t.querySelectorAll('tspan.line')].map(s => s.textContent).join(' ') || t.textContent,
            inside: b.left >= svg.left - 0.5 && b.right <= svg.right + 0.5 && b.top >= svg.top - 0.5
                    && b.bottom <= svg.bottom + 0.5};
  });
}"""

# The screen position of point `index` of the trace named `name` (plotly's own axis conversions).
_POINT_JS = """([id, name, index]) => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  const trace = gd._fullData.find(t => t.name === name);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.d2p(trace.x[index]), box.top + ya._offset + ya.d2p(trace.y[index])];
}"""






@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}px")
def test_latency_labels_do_not_overlap(browser: Browser, lab_url: str, viewport: tuple[int, int]) -> None:
    with visit(browser, lab_url, viewport) as tab:
        tab.open("/latency")
        for graph in ("latency-over-run", "latency-history"):
            assert tab.overlapping_texts(graph) == [], graph
        assert tab.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}px")
def test_cost_charts_show_whole_tier_names(browser: Browser, lab_url: str, viewport: tuple[int, int]) -> None:
    names = [t.name for t in load_model(DEFAULT_MODEL_PATH).tiers]
    with visit(browser, lab_url, viewport) as tab:
        tab.open("/costs")
        for graph in ("costs-tiers", "costs-units"):
            ticks = tab.page.evaluate(_TICKS_JS, graph)
            shown = [t["text"].removesuffix(" (projected)") for t in ticks]
            assert set(shown) == set(names), (graph, shown)  # "MVP", "Growth", never "MVF", "Gro"
            assert all(t["inside"] for t in ticks), (graph, ticks)
            assert tab.overlapping_texts(graph) == [], graph


def test_a_click_on_a_trend_point_opens_that_run(browser: Browser, lab_url: str, lab: Lab) -> None:
    older = lab.runs[4]
    with visit(browser, lab_url, DESKTOP) as tab:
        tab.open("/latency")
        tab.page.locator("#latency-history").scroll_into_view_if_needed()
        x, y = tab.page.evaluate(_POINT_JS, ["latency-history", "all requests", 4])
        tab.page.mouse.move(x, y)
        tab.page.mouse.click(x, y)
        tab.page.wait_for_url(lab_url + run_href("/latency", older.meta.run_id))
        tab.page.wait_for_function("(id) => document.getElementById('shown-run-id')?.textContent === id",
                                   arg=older.meta.run_id)
        assert tab.errors == []


def test_within_noise_is_not_painted_as_a_warning(browser: Browser, lab_url: str) -> None:
    with visit(browser, lab_url, DESKTOP) as tab:
        tab.open("/")
        tab.page.evaluate("""() => { const row = document.createElement('tr');
            row.className = 'verdict-within-noise'; row.innerHTML = '<td><span class="verdict">within noise</span></td>';
            document.querySelector('#baseline-verdicts tbody').appendChild(row); }""")
        colours = tab.page.evaluate("""() => [...document.querySelectorAll('#baseline-verdicts tbody tr')].map(r =>
            [r.className, getComputedStyle(r.querySelector('.verdict')).color])""")
        by_class = dict(colours)
        assert by_class["verdict-within-noise"] != by_class["verdict-regressed"]
        muted = tab.page.evaluate("() => getComputedStyle(document.documentElement).getPropertyValue('--muted').trim()")
        assert muted and by_class["verdict-within-noise"] == _rgb(muted)


def _issue16_figures(run: RunResult, *, runs: int) -> dict[str, go.Figure]:
    """The four charts whose labels collided (issue 16): the guardrail queue and cost, Redis peaks of
    `runs` runs (more runs, more upright ticks) and the readable tornado of the costliest tier."""
    summary = guardrail_summary(run.samples)
    assert summary is not None
    start = datetime(2026, 9, 1, 3, 4, tzinfo=UTC)
    peaks = [run_peak(f"k{i}", f"r{i}", start + timedelta(days=i),
                      Samples(interval_s=5.0, redis=[RedisSample(t_s=0, used_memory=(60 + i) * MIB,
                                                                 maxmemory=256 * 1024 * 1024)]))
             for i in range(runs)]
    model = load_model(DEFAULT_MODEL_PATH)
    return {
        "queue": queue_length_figure(summary),
        "cost": llm_cost_figure(summary),
        "peaks": peaks_figure([p for p in peaks if p is not None], selected_key="k1"),
        "tornado": readable(tornado_figure(tornado(model, model.tiers[-1], swing_pct=model.sensitivity.swing_pct))),
    }


@pytest.mark.parametrize("width", [320, 390, 768, 1440], ids=lambda w: f"{w}px")
@pytest.mark.parametrize("runs", [3, 24], ids=lambda n: f"{n}runs")
def test_the_issue_16_charts_read_at_any_width(browser: Browser, weekly_runs: tuple[RunResult, ...],
                                                tmp_path: Path, width: int, runs: int) -> None:
    """Each chart drawn as wide as its window (as the dashboard does): no text on another, whatever the width."""
    plotly_js = next(Path(plotly.__file__).parent.glob("package_data/plotly.min.js"))
    # each plot inside a div of the chart's name, as dcc.Graph does: the overlap check looks under that id
    divs = "\n".join(f'<div id="{name}">' + fig.to_html(full_html=False, include_plotlyjs=False,
                                                        div_id=f"{name}-plot", config={"responsive": True},
                                                        default_width="100%") + "</div>"
                      for name, fig in _issue16_figures(weekly_runs[0], runs=runs).items())
    page = tmp_path / "figures.html"
    page.write_text(f'<html><head><script src="{plotly_js.as_uri()}"></script></head><body>{divs}</body></html>')
    with visit(browser, "file://", (width, 900)) as tab:
        tab.open_file(page)
        for name in ("queue", "cost", "peaks", "tornado"):
            assert tab.page.locator(f"#{name} svg text").count() > 0, name  # drawn, so the check is not vacuous
            assert tab.overlapping_texts(name) == [], (name, width)


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"
