"""The dashboard's addresses: every page takes `?run=<run id>` (the run it shows) and `/runs/<run id>`
opens that run's overview. One place builds them, so a link pasted in chat, a trend chart's point and
the run picker all agree."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlencode

RUN_PARAM = "run"
RUN_PAGE_PREFIX = "/runs/"


def run_href(page_path: str, run_id: str) -> str:
    """The address of `page_path` showing the run `run_id` (e.g. `/latency?run=20260901T030000Z-ci`)."""
    return f"{page_path}?{urlencode({RUN_PARAM: run_id})}"


def run_page_href(run_id: str) -> str:
    """`/runs/<run id>`: the run's own address (its overview)."""
    return RUN_PAGE_PREFIX + quote(run_id, safe="")


def run_from_search(search: str | None) -> str | None:
    """The run a query string names (`?run=...`), or None."""
    values = parse_qs((search or "").lstrip("?")).get(RUN_PARAM)
    return values[0] if values and values[0] else None


PLAN_PARAM = "plan"


def plan_from_search(search: str | None) -> str | None:
    """The plan a query string names (`?plan=scenarios/baseline.yaml`), or None."""
    values = parse_qs((search or "").lstrip("?")).get(PLAN_PARAM)
    return values[0] if values and values[0] else None


def run_from_path(pathname: str | None) -> str | None:
    """The run of a `/runs/<run id>` address, or None for any other path."""
    path = (pathname or "").rstrip("/")
    if not path.startswith(RUN_PAGE_PREFIX):
        return None
    return unquote(path[len(RUN_PAGE_PREFIX):]) or None


def selection_search(*, run: str | None = None, plan: str | None = None) -> str:
    """The query string of a selection: `?run=<id>` (pinned) wins over `?plan=<path>` (newest of that plan)."""
    if run:
        return "?" + urlencode({RUN_PARAM: run})
    if plan:
        return "?" + urlencode({PLAN_PARAM: plan})
    return ""
