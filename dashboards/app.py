"""The Dash app: `create_app(results_dir, baselines_dir)`.

    header   brand, a link per page (keeping the shown run's `?run=` / `?plan=`), the run picker
             (grouped by plan; "Plan <plan> · newest run" follows new runs of it), live status
    page     the page the address names, for the run it names (one callback: the router). The URL
             is the only state (dashboards/links.py): `?run=<id>` pins a run, `/runs/<id>` is its
             overview, `?plan=<path>` follows a plan's newest run; none of them: the newest run of
             the current baseline's plan, so `/` opens compared with that baseline.
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

from dash import Dash, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboards.components import broken_banner, empty_state, notice
from dashboards.context import (
    DashboardData,
    PageContext,
    default_plan,
    find_run,
    plan_of,
    plans_newest_first,
    select_run,
)
from dashboards.data import RunCatalog
from dashboards.figures.style import scenario_colours
from dashboards.links import (
    plan_from_search,
    run_from_path,
    run_from_search,
    run_page_href,
    selection_search,
)
from dashboards.pages import OVERVIEW, PAGES, Page, page_for
from dashboards.pages.common import run_label
from harness.costs import DEFAULT_MODEL_PATH
from harness.results import RunResult

ASSETS = Path(__file__).resolve().parent / "assets"
TITLE = "BetterWorld performance lab"
DEFAULT_POLL_INTERVAL_S = 2.0
PLAN_VALUE_PREFIX = "plan:"  # the picker's "Plan <plan> · newest run" values

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
    """The frame around every page; a function, so each page load sees the runs as they are now.

    The address is the state: the run picker holds no value of its own (no browser storage), the
    `sync` callback sets it from the URL and writes a choice back into the URL."""
    catalog = data.runs.catalog()
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Interval(id="poll", interval=int(poll_interval_s * 1000)),
        dcc.Store(id="runs-signature", data=signature_of(data)),
        html.Header([
            html.Div([html.Span("BetterWorld", className="brand-name"), html.Span(" performance lab")],
                     className="brand"),
            html.Nav([dcc.Link(page.name, href=page.path, id=f"nav-{page.name.lower()}", className="nav-link")
                      for page in PAGES], className="nav"),
            html.Div([
                html.Label("Run", htmlFor="run-select"),
                dcc.Dropdown(id="run-select", options=run_options(catalog, _baseline_result(data)), value=None,
                             clearable=False, searchable=True, maxHeight=420, className="run-dropdown"),
            ], className="run-picker"),
        ], className="top-bar"),
        html.Div(id="live-status", className="live-status"),
        html.Main(id="page", className="page"),
    ], className="app")


def run_options(catalog: RunCatalog, baseline: RunResult | None = None) -> list[dict[str, Any]]:
    """Grouped by plan, the default plan first: "Plan <plan> · newest run" heads each group, then its
    runs, newest first."""
    plans = plans_newest_first(catalog)
    first = default_plan(catalog, baseline)
    if first in plans:
        plans.remove(first)
        plans.insert(0, first)
    options: list[dict[str, Any]] = []
    for plan in plans:
        options.append({"label": f"Plan {plan} · newest run (follows new runs)", "value": PLAN_VALUE_PREFIX + plan})
        options += [{"label": run_label(entry), "value": entry.run_id}
                    for entry in reversed(catalog.runs) if plan_of(entry) == plan]
    options += [{"label": f"{entry.key} (unreadable)", "value": entry.key, "disabled": True} for entry in catalog.broken]
    return options


def signature_of(data: DashboardData) -> str:
    """A digest of every file stamp (strings: nanosecond mtimes do not survive a JS number)."""
    return hashlib.sha1(repr(data.signature()).encode()).hexdigest()


def render_page(data: DashboardData, pathname: str | None, run: str | None = None, *,
                plan: str | None = None) -> tuple[list[Any], str]:
    """The page's components for the run the address names (`run`: a run id, or None / LATEST for the
    newest run of `plan`, or of the default plan), and the live status line."""
    catalog = data.runs.catalog()
    run = run_from_path(pathname) or run
    page = OVERVIEW if run_from_path(pathname) else page_for(pathname)
    status = _status(data, catalog)
    if page is None:
        return [notice(f"No page at {pathname}. Pick one above.", tone="warning")], status
    selection = select_run(catalog, run, plan, baseline=_baseline_result(data))
    banner = broken_banner(catalog.broken)
    top = [banner] if banner is not None else []
    if selection.missing is not None and not catalog.empty:
        return [*top, notice(f"{selection.missing}. Choose a run above.", tone="warning", id="unknown-run")], status
    ctx = PageContext(data=data, catalog=catalog, selected=selection.selected, following=selection.following,
                      colours=scenario_colours(catalog.scenario_names()), plan=selection.plan)
    if catalog.empty and not page.shows_without_runs:
        return [*top, empty_state(data.results_dir, page=page.name)], status
    body = _safe_render(page, ctx)
    if catalog.empty:
        body = [empty_state(data.results_dir, page=page.name), *body]
    return [*top, *body], status


def picker_value(catalog: RunCatalog, run: str | None, plan: str | None, baseline: RunResult | None) -> str | None:
    """The picker's value for an address: the pinned run's id, else "Plan <plan> · newest run"."""
    if run:
        entry = find_run(catalog, run)
        return entry.run_id if entry is not None else None
    wanted = plan or default_plan(catalog, baseline)
    return PLAN_VALUE_PREFIX + wanted if wanted else None


def address_for_choice(value: str, pathname: str | None) -> tuple[str, str]:
    """(pathname, search) after choosing `value` in the picker: the same page showing that choice;
    on a run's own address (`/runs/<id>`) the chosen run's own address, or the overview of a plan."""
    plan = value.removeprefix(PLAN_VALUE_PREFIX) if value.startswith(PLAN_VALUE_PREFIX) else None
    if run_from_path(pathname):
        return (OVERVIEW.path, selection_search(plan=plan)) if plan else (run_page_href(value), "")
    return pathname or "/", selection_search(plan=plan) if plan else selection_search(run=value)


def _baseline_result(data: DashboardData) -> RunResult | None:
    return data.baselines.current().result


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
    nav_outputs = [Output(f"nav-{page.name.lower()}", prop) for prop in ("className", "href") for page in PAGES]

    @app.callback(
        Output("page", "children"),
        Output("live-status", "children"),
        *nav_outputs,
        Input("url", "pathname"),
        Input("url", "search"),
        Input("runs-signature", "data"),
    )
    def _route(pathname: str | None, search: str | None, _signature: str | None) -> tuple[Any, ...]:
        run, plan = run_from_path(pathname) or run_from_search(search), plan_from_search(search)
        children, status = render_page(data, pathname, run, plan=plan)
        current = OVERVIEW if run_from_path(pathname) else page_for(pathname)
        classes = ["nav-link active" if page == current else "nav-link" for page in PAGES]
        keep = selection_search(run=run, plan=plan)  # the nav keeps the shown selection
        return (children, status, *classes, *(page.path + keep for page in PAGES))

    @app.callback(
        Output("url", "pathname"),
        Output("url", "search"),
        Output("run-select", "value"),
        Input("url", "pathname"),
        Input("url", "search"),
        Input("run-select", "value"),
    )
    def _sync(pathname: str | None, search: str | None, value: str | None) -> tuple[Any, Any, Any]:
        """URL -> picker on load and navigation; picker -> URL when the user chooses a run."""
        if callback_context.triggered_id == "run-select" and value:
            target = address_for_choice(value, pathname)
            if target == (pathname, search or ""):
                raise PreventUpdate
            return (target[0] if target[0] != pathname else no_update), target[1], no_update
        run = run_from_path(pathname) or run_from_search(search)
        shown = picker_value(data.runs.catalog(), run, plan_from_search(search), _baseline_result(data))
        return no_update, no_update, shown


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
    return now, run_options(data.runs.catalog(), _baseline_result(data))
