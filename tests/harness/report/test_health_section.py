"""Measurement health in the run report: the section in summary.md and report.html (verdict,
reasons, figures, how the system's processes were found), and the chart of the sample windows."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from harness.health.text import health_line
from harness.report.charts_health import CHART_ID, health_chart
from harness.report.health_section import health_figures
from harness.report.markdown import render_markdown
from harness.report.writer import write_report
from harness.results import save_result
from harness.results.model import RunResult

from .conftest import BUSY_WINDOW, HEALTH_WINDOW_S, inspect_html


def _section(markdown: str) -> str:
    return markdown.split("## Measurement health", 1)[1].split("\n## ", 1)[0]


def _html(result: RunResult, folder: Path) -> str:
    written = write_report(save_result(result, folder / "result.json"), formats=["html"])
    assert written.html is not None
    return written.html.read_text(encoding="utf-8")


def _health_section_html(text: str) -> str:
    return re.search(r'<section id="health">.*?</section>', text, re.S).group(0)  # type: ignore[union-attr]


def test_the_summary_shows_a_clean_measurement_after_the_verdict(clean_result: RunResult) -> None:
    text = render_markdown(clean_result)
    health = clean_result.health
    assert health is not None
    assert text.index("## Verdict") < text.index("## Measurement health") < text.index("## Scenarios")
    assert "thresholds passed; measurement clean." in text
    section = _section(text)
    assert f"Measurement: {health_line(health)}." in section
    limits = health.limits
    assert f"| other processes' CPU | 0.06 cores | {limits['other_cpu_cores']:.2f} cores |  |" in section
    assert f"| host CPU pressure (PSI some) | 3.2 % (full 0.0 %) | {limits['cpu_pressure_some_pct']:.1f} % |  |" in section
    share = f"{100 * limits['degraded_share']:g} % of the load phase"
    assert f"| degraded sample windows | 0 of 3 (0 % of the load phase) | {share} |  |" in section
    assert f"System under test's processes: {health.system_processes}." in section
    assert "**over**" not in section and "Degraded sample windows:" not in section


def test_the_summary_lists_every_reason_of_a_degraded_measurement(degraded_result: RunResult) -> None:
    text = render_markdown(degraded_result)
    health = degraded_result.health
    assert health is not None and health.reasons
    assert "thresholds passed; measurement DEGRADED." in text
    section = _section(text)
    assert "Measurement: **DEGRADED**" in section
    for reason in health.reasons:
        assert f"\n- {reason}\n" in section
    share = f"{100 * health.limits['degraded_share']:g} % of the load phase"
    assert f"| degraded sample windows | 1 of 3 (33 % of the load phase) | {share} | **over** |" in section
    busy = health.windows[BUSY_WINDOW]
    assert f"- 2.0–4.0 s: {'; '.join(busy.reasons)}" in section
    assert "memory pressure (PSI full)" in section and "IO pressure (PSI full)" in section


def test_a_result_from_before_measurement_health_says_not_recorded(baseline_result: RunResult, tmp_path: Path) -> None:
    assert baseline_result.health is None
    section = _section(render_markdown(baseline_result))
    assert "Measurement: not recorded" in section and "| figure |" not in section
    text = _html(baseline_result, tmp_path)
    assert "not recorded" in _health_section_html(text)
    assert "chart-health" not in inspect_html(text).ids
    assert health_chart(None) is None


def test_the_html_report_shows_the_health_section_near_the_top(degraded_result: RunResult, tmp_path: Path) -> None:
    text = _html(degraded_result, tmp_path)
    page = inspect_html(text)
    assert {"health", "health-figures", f"chart-{CHART_ID}"} <= page.ids
    assert text.index('<section id="verdict">') < text.index('<section id="health">') < text.index('<section id="scenarios"')
    assert ("a", "href", "#health") in page.urls
    assert '<span class="badge DEGRADED">measurement DEGRADED</span>' in text
    section = _health_section_html(text)
    health = degraded_result.health
    assert health is not None
    assert '<span class="health-degraded">DEGRADED</span>' in section
    assert [unescape(li) for li in re.findall(r"<li>(.*?)</li>", section)] == health.reasons
    assert '<tr class="failed"><td>degraded sample windows</td>' in section
    assert f"System under test's processes: {health.system_processes}." in unescape(section)
    assert any("Plotly.newPlot(" in s and f'"chart-{CHART_ID}"' in s for s in page.scripts)
    assert not re.findall(r"https?://", section)


def test_a_clean_html_report_says_clean_with_the_load_phase_figures(clean_result: RunResult, tmp_path: Path) -> None:
    section = _health_section_html(_html(clean_result, tmp_path))
    assert '<span class="health-clean">clean</span> (host CPU pressure 3 %' in section
    assert 'class="failed"' not in section and "badge DEGRADED" not in section


def test_the_chart_draws_the_windows_the_limits_and_shades_the_degraded_ones(degraded_result: RunResult) -> None:
    health = degraded_result.health
    assert health is not None
    chart = health_chart(health)
    assert chart is not None and chart.id == CHART_ID
    traces = {t.name: t for t in chart.figure.data}
    pressure, other = traces["host CPU pressure (%)"], traces["other processes' CPU (cores)"]
    middles = [(i + 0.5) * HEALTH_WINDOW_S for i in range(len(health.windows))]
    assert list(pressure.x) == middles and list(pressure.y) == [w.cpu_pressure_some_pct for w in health.windows]
    assert list(other.y) == [w.other_cpu_cores for w in health.windows] and other.yaxis == "y2"
    assert pressure.yaxis in (None, "y")
    assert traces["load generator's CPU (cores)"].visible == "legendonly"
    shapes = chart.figure.layout.shapes
    shaded = [(s.x0, s.x1) for s in shapes if s.type == "rect"]
    assert shaded == [(BUSY_WINDOW * HEALTH_WINDOW_S, (BUSY_WINDOW + 1) * HEALTH_WINDOW_S)]
    limits = {(s.yref, s.y0, s.line.dash) for s in shapes if s.type == "line"}
    pressure_limit, cores_limit = health.limits["cpu_pressure_some_pct"], health.limits["other_cpu_cores"]
    assert limits == {("y", pressure_limit, "dash"), ("y2", cores_limit, "dash")}
    assert chart.figure.layout.yaxis.range[1] > max(pressure_limit, *pressure.y)
    assert chart.figure.layout.yaxis2.range[1] > max(cores_limit, *other.y)
    assert "3 sample windows, 1 degraded" in chart.caption


def test_a_clean_run_has_no_shaded_window_and_figures_within_limits(clean_result: RunResult) -> None:
    health = clean_result.health
    assert health is not None
    chart = health_chart(health)
    assert chart is not None
    assert [s for s in chart.figure.layout.shapes if s.type == "rect"] == []
    assert not any(f.over for f in health_figures(health))
