"""The dashboard's pages, one module each, in navigation order.

A page module has `PATH`, `NAME`, `render(ctx) -> list of components` (called with a run when
there is one), optionally `register(app, data)` for its own callbacks, and `SHOWS_WITHOUT_RUNS`
when it has something to show before any run exists (Costs: the model prices the tiers alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from dash import Dash

from dashboards.context import DashboardData, PageContext
from dashboards.pages import costs, guardrail, latency, overview, redis, runs


@dataclass(frozen=True)
class Page:
    path: str
    name: str
    render: Callable[[PageContext], list[Any]]
    register: Callable[[Dash, DashboardData], None] | None
    shows_without_runs: bool


def _page(module: ModuleType) -> Page:
    return Page(path=module.PATH, name=module.NAME, render=module.render, register=getattr(module, "register", None),
                shows_without_runs=getattr(module, "SHOWS_WITHOUT_RUNS", False))


PAGES: tuple[Page, ...] = tuple(_page(m) for m in (overview, latency, guardrail, redis, costs, runs))
OVERVIEW = PAGES[0]  # what a run's own address (`/runs/<run id>`) shows


def page_for(pathname: str | None) -> Page | None:
    wanted = (pathname or "/").rstrip("/") or "/"
    for page in PAGES:
        if page.path == wanted:
            return page
    return None
