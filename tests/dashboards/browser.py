"""Driving the dashboard in Debian's headless Chromium (Playwright's Python API, no browser download).

`serving(app)` runs a Dash app on a free 127.0.0.1 port in a thread; `Visit` is one browser tab
that records every request URL and every console error, and reads the plotly traces of a chart
straight from the DOM (`.js-plotly-plot`'s `data` and `layout`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dash import Dash
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
TIMEOUT_MS = 15_000
DESKTOP = (1440, 900)
PHONE = (390, 844)
VIEWPORTS = (PHONE, DESKTOP)
OVERLAP_TOLERANCE_PX = 1.0

# Every visible, non-empty SVG <text> inside each chart (tick labels, legend, annotations, titles) as the
# four screen corners of its box (getBBox through getScreenCTM, so rotated tick labels keep their real
# shape), then each pair tested with the separating-axis theorem: two boxes overlap only when they
# overlap by more than `tol` px along every edge normal of both.
_OVERLAPS_JS = """([graphId, tol]) => {
  const roots = graphId ? [document.getElementById(graphId)?.querySelector('.js-plotly-plot')]
                        : [...document.querySelectorAll('.js-plotly-plot')];
  const pairs = [];
  for (const root of roots) {
    if (!root) continue;
    const named = root.closest('[id]');
    const boxes = [];
    for (const el of root.querySelectorAll('svg text')) {
      const label = (el.textContent || '').trim();
      if (!label || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      if (parseFloat(el.getAttribute('opacity') ?? '1') === 0) continue;
      const b = el.getBBox();
      if (b.width <= 0 || b.height <= 0) continue;
      const m = el.getScreenCTM();
      const pt = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
      boxes.push({label, corners: [pt(b.x, b.y), pt(b.x + b.width, b.y), pt(b.x + b.width, b.y + b.height),
                                   pt(b.x, b.y + b.height)]});
    }
    const axes = (c) => [0, 1].map(i => {
      const dx = c[i + 1][0] - c[i][0], dy = c[i + 1][1] - c[i][1], n = Math.hypot(dx, dy) || 1;
      return [-dy / n, dx / n];
    });
    const span = (c, a) => { const p = c.map(q => q[0] * a[0] + q[1] * a[1]); return [Math.min(...p), Math.max(...p)]; };
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const A = boxes[i].corners, B = boxes[j].corners;
      const apart = [...axes(A), ...axes(B)].some(a => {
        const [a0, a1] = span(A, a), [b0, b1] = span(B, a);
        return Math.min(a1, b1) - Math.max(a0, b0) <= tol;
      });
      if (!apart) pairs.push([(named ? named.id + ': ' : '') + boxes[i].label, boxes[j].label]);
    }
  }
  return pairs;
}"""

_TOO_WIDE_JS = """(limit) => {
  const edge = window.innerWidth + 0.5;
  const past = (el) => el.getBoundingClientRect().right > edge;
  const clipped = (el) => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  return [...document.body.querySelectorAll('*')]
    .filter(el => past(el) && !clipped(el) && (el.parentElement === document.body || !past(el.parentElement)))
    .slice(0, limit).map(el => `${name(el)} (right ${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


@contextmanager
def serving(app: Dash) -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dashboard-under-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class Visit:
    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector("#page > *", timeout=TIMEOUT_MS)
        self.wait_for_charts()

    def wait_for_charts(self) -> None:
        """Every chart on the page has been drawn by plotly.js (it has data and a full layout)."""
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('#page .dash-graph')].every("
            "g => { const p = g.querySelector('.js-plotly-plot'); return p && p.data && p._fullLayout; })",
            timeout=TIMEOUT_MS,
        )

    def open_file(self, path: Path) -> None:
        """A standalone HTML file (report.html, the cost report), once every plotly chart in it is drawn."""
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every(p => p.data && p._fullLayout)",
            timeout=TIMEOUT_MS,
        )

    def wait_for_trace(self, graph_id: str, *, name: str, y: list[float | None], yaxis: str = "y") -> None:
        """Until the chart's trace `name` (on `yaxis`) holds exactly `y`: plotly redraws after React."""
        self.page.wait_for_function(
            """([id, name, yaxis, expected]) => {
                 const plot = document.querySelector('#' + id + ' .js-plotly-plot');
                 const trace = plot && plot.data && plot.data.find(t => t.name === name && (t.yaxis || 'y') === yaxis);
                 return !!trace && JSON.stringify(Array.from(trace.y)) === JSON.stringify(expected); }""",
            arg=[graph_id, name, yaxis, y],
            timeout=TIMEOUT_MS,
        )

    def traces(self, graph_id: str) -> list[dict[str, Any]]:
        return self.page.evaluate(
            """(id) => document.getElementById(id).querySelector('.js-plotly-plot').data.map(t => ({
                   name: t.name, yaxis: t.yaxis || 'y', customdata: t.customdata ? Array.from(t.customdata) : null,
                   x: t.x ? Array.from(t.x) : [], y: t.y ? Array.from(t.y) : []}))""",
            graph_id,
        )

    def layout(self, graph_id: str) -> dict[str, Any]:
        return self.page.evaluate(
            "(id) => { const l = document.getElementById(id).querySelector('.js-plotly-plot').layout;"
            " return {shapes: l.shapes || [], annotations: (l.annotations || []).map(a => a.text),"
            " title: l.title && l.title.text}; }",
            graph_id,
        )

    def overlapping_texts(self, graph_id: str | None = None) -> list[tuple[str, str]]:
        """Pairs of visible SVG texts that overlap inside one chart (`graph_id`, or every chart on the page);
        the first of each pair is prefixed with the chart's id. Empty when every label reads clearly."""
        pairs = self.page.evaluate(_OVERLAPS_JS, [graph_id, OVERLAP_TOLERANCE_PX])
        return [(first, second) for first, second in pairs]

    def page_width(self) -> tuple[int, int]:
        """(document scroll width, window inner width): a page that fits is no wider than its window."""
        width, inner = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        return int(width), int(inner)

    def too_wide(self, limit: int = 5) -> list[str]:
        """What makes the page wider than its window: the outermost elements reaching past its right
        edge (not counting those inside a box that scrolls or clips sideways), as `tag#id.class (right px)`."""
        return self.page.evaluate(_TOO_WIDE_JS, limit)

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector, timeout=TIMEOUT_MS)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.base + "/")]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def viewport_name(viewport: tuple[int, int]) -> str:
    return f"{viewport[0]}x{viewport[1]}"


@contextmanager
def visit(browser: Browser, base: str, viewport: tuple[int, int] = DESKTOP) -> Iterator[Visit]:
    """A tab in a fresh browser context (no cookies, no storage) of `viewport` (width, height) px."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    tab = Visit(page=page, base=base)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    try:
        yield tab
    finally:
        context.close()
