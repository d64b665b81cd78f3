"""Redis: used_memory and RSS against maxmemory over the shown run, the peak of every run,
evictions, and a warning when the eviction policy can drop queued jobs (anything but noeviction)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.components import card, cards, chart, fmt_pct, notice, section
from dashboards.context import PageContext
from dashboards.figures.redis import MIB, evictions_figure, memory_figure, peaks_figure
from dashboards.pages.common import run_heading
from dashboards.redis_memory import (
    RedisSummary,
    RunPeak,
    policy_warning,
    redis_summary,
    run_peak,
)

PATH = "/redis"
NAME = "Redis"


def render(ctx: PageContext) -> list[Any]:
    result = ctx.result
    if result is None:
        return []
    heading = run_heading(result, following=ctx.following, page_title="Redis")
    peaks = _peaks(ctx)
    peaks_section = section("Peak per run", chart("redis-peaks", peaks_figure(
        peaks, selected_key=ctx.selected.key if ctx.selected else None)))
    summary = redis_summary(result.samples)
    if summary is None:
        return [heading, notice("This run holds no Redis INFO samples (bwperf run samples Redis when it knows its URL: "
                                "the embedded stack's, or --redis-url).", tone="info", id="no-redis-samples"),
                peaks_section]
    parts: list[Any] = [heading]
    if summary.evicting_policy and summary.policy:
        parts.append(notice([html.Strong("Queued jobs can be evicted. "), policy_warning(summary.policy)],
                            tone="error", id="redis-policy-warning"))
    elif summary.policy:
        parts.append(notice(f"maxmemory_policy is {summary.policy}: Redis refuses writes rather than evict queued jobs.",
                            tone="ok", id="redis-policy-ok"))
    parts += [
        _cards(summary),
        section("Memory over the run", chart("redis-memory", memory_figure(summary)),
                subtitle="The share of the limit is peak used_memory over maxmemory: what Redis evicts or refuses "
                         "writes by. RSS (seed 8.7 watched it) also holds allocator fragmentation, which the limit "
                         "does not govern."),
        section("Evictions", chart("redis-evictions", evictions_figure(summary))),
        peaks_section,
    ]
    return parts


def _cards(summary: RedisSummary) -> html.Div:
    share = summary.used_share
    return cards(
        card("Peak used_memory", _mib(summary.peak_used)),
        card("Peak RSS", _mib(summary.peak_rss)),
        card("maxmemory", _mib(summary.maxmemory) if summary.maxmemory else "no limit"),
        card("Peak used_memory / maxmemory", fmt_pct(share), tone="neutral" if share is None else (
            "error" if share >= 0.9 else "warning" if share >= 0.75 else "ok")),
        card("Keys evicted", f"{summary.evicted:,.0f}", tone="error" if summary.evicted else "ok"),
        card("maxmemory_policy", summary.policy or "not reported",
             tone="error" if summary.evicting_policy else "ok" if summary.policy else "neutral"),
        id="redis-cards",
    )


def _peaks(ctx: PageContext) -> list[RunPeak]:
    peaks = []
    for entry in ctx.catalog.runs:
        if entry.result is not None:
            peak = run_peak(entry.key, entry.result.meta.run_id, entry.result.meta.started_at, entry.result.samples)
            if peak is not None:
                peaks.append(peak)
    return peaks


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / MIB:,.1f} MiB"
