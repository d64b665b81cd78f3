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
from playwright.sync_api import Browser, Page
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
TIMEOUT_MS = 15_000


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
def visit(browser: Browser, base: str) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
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
