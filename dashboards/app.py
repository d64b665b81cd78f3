"""The Dash app: `create_app(results_dir, baselines_dir)`.

    header   brand, a link per page, the run selector ("Newest run" follows new runs), live status
    page     the chosen page rendered for the chosen run (one callback: the router)
    poll     a dcc.Interval: every `poll_interval_s` the server stats the result files; when a
             stamp changed (a new run, a run rewritten, a baseline promoted) the signature store
             changes and the page re-renders from the re-read file, without a reload. When nothing
             changed the poll answers "no update": one stat per run, no file read, no re-render.

Every script and style is served by this process (Dash's bundles, `assets/`): nothing is fetched
from a CDN, so the dashboard works offline and leaks nothing.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.components import broken_banner, empty_state, notice
from dashboards.context import LATEST, DashboardData, PageContext, resolve_selection
from dashboards.data import RunCatalog
from dashboards.figures.style import scenario_colours
from dashboards.pages import PAGES, Page, page_for
from dashboards.pages.common import run_label
from harness.costs import DEFAULT_MODEL_PATH

ASSETS = Path(__file__).resolve().parent / "assets"
TITLE = "BetterWorld performance lab"
DEFAULT_POLL_INTERVAL_S = 2.0

logger = logging.getLogger(__name__)


def create_app(
    results_dir: str | Path,
    baselines_dir: str | Path,
    *,
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
    cost_model_path: Path = DEFAULT_MODEL_PATH,
) -> Dash:
    data = DashboardData(Path(results_dir), Path(baselines_dir), cost_model_path=cost_model_path)
    app = Dash(
        __name__,
        title=TITLE,
        update_title=None,
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,  # page components come and go with the route
    )
    app.layout = lambda: shell(data, poll_interval_s=poll_interval_s)
    _register_router(app, data)
    _register_poll(app, data)
    for page in PAGES:
        if page.register is not None:
            page.register(app, data)
    return app


def shell(data: DashboardData, *, poll_interval_s: float) -> html.Div:
    """The frame around every page; a function, so each page load sees the runs as they are now."""
    catalog = data.runs.catalog()
    return html.Div([
        dcc.Location(id="url"),
        dcc.Interval(id="poll", interval=int(poll_interval_s * 1000)),
        dcc.Store(id="runs-signature", data=signature_of(data)),
        html.Header([
            html.Div([html.Span("BetterWorld", className="brand-name"), html.Span(" performance lab")],
                     className="brand"),
            html.Nav([dcc.Link(page.name, href=page.path, id=f"nav-{page.name.lower()}", className="nav-link")
                      for page in PAGES], className="nav"),
            html.Div([
                html.Label("Run", htmlFor="run-select"),
                dcc.Dropdown(id="run-select", options=run_options(catalog), value=LATEST, clearable=False,
                             searchable=True, persistence=True, persistence_type="session",
                             className="run-dropdown"),
            ], className="run-picker"),
        ], className="top-bar"),
        html.Div(id="live-status", className="live-status"),
        html.Main(id="page", className="page"),
    ], className="app")


def run_options(catalog: RunCatalog) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = [{"label": "Newest run (follows new runs)", "value": LATEST}]
    options += [{"label": run_label(entry), "value": entry.key} for entry in reversed(catalog.runs)]
    options += [{"label": f"{entry.key} (unreadable)", "value": entry.key, "disabled": True} for entry in catalog.broken]
    return options


def signature_of(data: DashboardData) -> str:
    """A digest of every file stamp (strings: nanosecond mtimes do not survive a JS number)."""
    return hashlib.sha1(repr(data.signature()).encode()).hexdigest()


def render_page(data: DashboardData, pathname: str | None, selection: str | None) -> tuple[list[Any], str]:
    """The page's components for the chosen run, and the live status line."""
    catalog = data.runs.catalog()
    page = page_for(pathname)
    status = _status(data, catalog)
    if page is None:
        return [notice(f"No page at {pathname}. Pick one above.", tone="warning")], status
    selected, following = resolve_selection(catalog, selection)
    ctx = PageContext(data=data, catalog=catalog, selected=selected, following=following,
                      colours=scenario_colours(catalog.scenario_names()))
    banner = broken_banner(catalog.broken)
    top = [banner] if banner is not None else []
    if catalog.empty and not page.shows_without_runs:
        return [*top, empty_state(data.results_dir, page=page.name)], status
    body = _safe_render(page, ctx)
    if catalog.empty:
        body = [empty_state(data.results_dir, page=page.name), *body]
    return [*top, *body], status


def _safe_render(page: Page, ctx: PageContext) -> list[Any]:
    """The page, or, when its code fails on this run's data, an error naming the run's file."""
    try:
        return page.render(ctx)
    except Exception as error:  # one odd file must not take the whole dashboard down
        shown = ctx.selected.path if ctx.selected is not None else ctx.data.results_dir
        logger.exception("rendering %s for %s failed", page.path, shown)
        return [notice(f"{shown}: the {page.name} page cannot show this run ({type(error).__name__}: {error})",
                       tone="error", id="page-error")]


def _status(data: DashboardData, catalog: RunCatalog) -> str:
    checked = datetime.now(UTC).strftime("%H:%M:%S")
    runs = len(catalog.runs)
    noun = "run" if runs == 1 else "runs"
    broken = f", {len(catalog.broken)} unreadable" if catalog.broken else ""
    return f"{runs} {noun} in {data.results_dir}/{broken} · updated {checked} UTC · live"


def _register_router(app: Dash, data: DashboardData) -> None:
    nav_outputs = [Output(f"nav-{page.name.lower()}", "className") for page in PAGES]

    @app.callback(
        Output("page", "children"),
        Output("live-status", "children"),
        *nav_outputs,
        Input("url", "pathname"),
        Input("run-select", "value"),
        Input("runs-signature", "data"),
    )
    def _route(pathname: str | None, selection: str | None, _signature: str | None) -> tuple[Any, ...]:
        children, status = render_page(data, pathname, selection)
        current = page_for(pathname)
        classes = ["nav-link active" if page == current else "nav-link" for page in PAGES]
        return (children, status, *classes)


def _register_poll(app: Dash, data: DashboardData) -> None:
    @app.callback(
        Output("runs-signature", "data"),
        Output("run-select", "options"),
        Input("poll", "n_intervals"),
        State("runs-signature", "data"),
        prevent_initial_call=True,
    )
    def _poll(_n: int | None, known: str | None) -> tuple[str, list[dict[str, Any]]]:
        return poll(data, known)


def poll(data: DashboardData, known: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The new signature and run options when a file changed; PreventUpdate when none did."""
    now = signature_of(data)
    if now == known:
        raise PreventUpdate
    return now, run_options(data.runs.catalog())
