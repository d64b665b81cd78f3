"""Measurement health in a run report: could the machine be trusted while the run measured?

Both report files show, right after the threshold verdict: the verdict line (in the words every
view uses, `harness.health.text`), the reasons when it is degraded, the host figures over the
load phase against their limits, and how the system under test's processes were found.
report.html adds a chart of the sample windows over time: host CPU pressure and the other
processes' CPU on a second axis, each limit as a dashed line, degraded windows shaded.

Pure: a result in, rows / Markdown / HTML text / a `Chart` out. A result written before
measurement health (`health` None) says "not recorded" and has no chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from harness.health.rules import degraded_seconds
from harness.health.text import health_line
from harness.results.model import HostConditions, MeasurementHealth

SECTION_ID = "health"
TITLE = "Measurement health"
MAX_LISTED_WINDOWS = 10  # summary.md lists the degraded windows (it has no chart), this many at most
_FAILED = ' class="failed"'
DEGRADED_NOTE = ("A comparison with this run treats a metric measured in degraded windows as inconclusive, "
                 "never as regressed.")


@dataclass(frozen=True)
class HealthFigure:
    """One row of the figures table: a host figure over the load phase and its limit, if any."""

    label: str
    value: str
    limit: str  # "" where no limit applies
    over: bool  # the value crosses its limit


@dataclass(frozen=True)
class _Figure:
    field: str  # of HostConditions
    label: str
    unit: str
    digits: int
    limit_key: str | None = None  # of MeasurementHealth.limits
    detail_field: str | None = None  # shown in brackets after the value
    detail_name: str = ""
    optional: bool = False  # left out when the host does not report it


FIGURES = (
    _Figure("cpu_pressure_some_pct", "host CPU pressure (PSI some)", " %", 1, "cpu_pressure_some_pct",
            "cpu_pressure_full_pct", "full"),
    _Figure("other_cpu_cores", "other processes' CPU", " cores", 2, "other_cpu_cores"),
    _Figure("generator_cpu_cores", "load generator's CPU", " cores", 2),
    _Figure("system_cpu_cores", "system under test's CPU", " cores", 2),
    _Figure("host_cpu_cores", "host CPU busy, all processes", " cores", 2),
    _Figure("steal_pct", "CPU steal", " %", 1, "steal_pct"),
    _Figure("load_avg_1m", "load average (1 min)", "", 2),
    _Figure("memory_pressure_full_pct", "memory pressure (PSI full)", " %", 1, "memory_pressure_full_pct",
            "memory_pressure_some_pct", "some", optional=True),
    _Figure("io_pressure_full_pct", "IO pressure (PSI full)", " %", 1, "io_pressure_full_pct",
            "io_pressure_some_pct", "some", optional=True),
)


def verdict_word(health: MeasurementHealth | None) -> str:
    """`clean`, `DEGRADED` or `not recorded`: the header's and the summary's one word."""
    if health is None:
        return "not recorded"
    return "clean" if health.verdict == "clean" else "DEGRADED"


def health_figures(health: MeasurementHealth) -> list[HealthFigure]:
    """The load phase's figures, then the share of degraded windows, each with its limit."""
    rows = []
    total = health.total
    for figure in FIGURES:
        value = getattr(total, figure.field)
        if value is None and figure.optional:
            continue
        limit = health.limits.get(figure.limit_key) if figure.limit_key else None
        text = "not reported" if value is None else f"{value:.{figure.digits}f}{figure.unit}"
        detail = getattr(total, figure.detail_field) if figure.detail_field else None
        if value is not None and detail is not None:
            text += f" ({figure.detail_name} {detail:.{figure.digits}f}{figure.unit})"
        rows.append(HealthFigure(label=figure.label, value=text,
                                 limit="" if limit is None else f"{limit:.{figure.digits}f}{figure.unit}",
                                 over=value is not None and limit is not None and value > limit))
    rows.append(_windows_figure(health))
    return rows


def _windows_figure(health: MeasurementHealth) -> HealthFigure:
    degraded, observed = degraded_seconds(health.windows)
    bad = sum(1 for w in health.windows if w.reasons)
    share_limit = health.limits.get("degraded_share")
    share = degraded / observed if observed > 0 else 0.0
    value = f"{bad} of {len(health.windows)}" + (f" ({100 * share:.0f} % of the load phase)" if observed > 0 else "")
    return HealthFigure(label="degraded sample windows", value=value,
                        limit="" if share_limit is None else f"{100 * share_limit:g} % of the load phase",
                        over=share_limit is not None and share > share_limit)


def window_span(window: HostConditions) -> str:
    return f"{window.t_s:.1f}–{window.t_s + window.duration_s:.1f} s"


def health_markdown(health: MeasurementHealth | None, *, table: Callable[[list[str], list[list[str]]], str]) -> str:
    """summary.md's section (`table` is the summary's own Markdown table writer)."""
    parts = [f"## {TITLE}", ""]
    if health is None:
        parts += [f"Measurement: {health_line(None)}.", ""]
        return "\n".join(parts)
    if health.verdict == "clean":
        parts += [f"Measurement: {health_line(health)}.", ""]
    else:
        parts += ["Measurement: **DEGRADED**:", "", "\n".join(f"- {reason}" for reason in health.reasons), "",
                  DEGRADED_NOTE, ""]
    parts += [table(["figure", "over the load phase", "limit", ""],
                    [[f.label, f.value, f.limit, "**over**" if f.over else ""] for f in health_figures(health)]), ""]
    parts += [f"System under test's processes: {health.system_processes}.", ""]
    bad = [w for w in health.windows if w.reasons]
    if bad:
        lines = [f"- {window_span(w)}: {'; '.join(w.reasons)}" for w in bad[:MAX_LISTED_WINDOWS]]
        if len(bad) > MAX_LISTED_WINDOWS:
            lines.append(f"- ... and {len(bad) - MAX_LISTED_WINDOWS} more (report.html draws them all)")
        parts += ["Degraded sample windows:", "", "\n".join(lines), ""]
    return "\n".join(parts)


def health_html(health: MeasurementHealth | None, *, chart_html: str = "") -> str:
    """report.html's section; `chart_html` is the rendered `health_chart` (empty: none)."""
    head = f'<section id="{SECTION_ID}"><h2>{TITLE}</h2>'
    if health is None:
        return f'{head}<p class="health-none">Measurement: {escape(health_line(None))}.</p></section>'
    if health.verdict == "clean":
        verdict = (f'<p>Measurement: <span class="health-clean">clean</span> '
                   f'{escape(health_line(health).removeprefix("clean "))}</p>')
    else:
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in health.reasons)
        verdict = (f'<p>Measurement: <span class="health-degraded">DEGRADED</span></p>'
                   f'<ul class="health-reasons">{reasons}</ul><p class="caption">{escape(DEGRADED_NOTE)}</p>')
    rows = "".join(
        f"<tr{_FAILED if f.over else ''}><td>{escape(f.label)}</td><td>{escape(f.value)}</td><td>{escape(f.limit)}</td></tr>"
        for f in health_figures(health))
    table = ("<table id=\"health-figures\"><thead><tr><th>figure</th><th>over the load phase</th><th>limit</th>"
             f"</tr></thead><tbody>{rows}</tbody></table>")
    processes = f'<p class="caption">System under test\'s processes: {escape(health.system_processes)}.</p>'
    return head + verdict + table + processes + chart_html + "</section>"
