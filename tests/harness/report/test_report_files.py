"""The report of a real run: report.html (self-contained, every chart) and summary.md."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from harness.report.writer import HTML_FILE_NAME, MARKDOWN_FILE_NAME, write_report

from .conftest import inspect_html

CHARTS = ("timeline", "latency", "distribution", "throughput", "errors", "guardrail", "redis", "db_pool", "generator")
LOCAL_HOSTS = {"127.0.0.1"}


def _external(url: str) -> bool:
    parsed = urlparse(url.strip())
    if parsed.scheme in ("", "data", "blob") or url.strip().startswith("#"):
        return False
    return parsed.hostname not in LOCAL_HOSTS


def test_html_report_has_every_chart_and_loads_nothing_from_outside(run_dir: Path) -> None:
    written = write_report(run_dir)
    assert written.html == run_dir / HTML_FILE_NAME
    text = written.html.read_text(encoding="utf-8")
    page = inspect_html(text)
    for chart in CHARTS:
        assert chart in page.ids, f"section {chart} missing"
        assert f"chart-{chart}" in page.ids, f"figure of {chart} missing"
        assert any('Plotly.newPlot(' in s and f'"chart-{chart}"' in s for s in page.scripts), chart
    # every link and source on the page is an anchor, data, or 127.0.0.1: nothing from a CDN
    assert page.urls, "the page has its navigation links"
    assert [u for u in page.urls if _external(u[2])] == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://(?!127\.0\.0\.1)""", text)
    assert not re.search(r"url\(\s*['\"]?https?:", "".join(page.styles))
    assert all(tag not in page.tags for tag in ("link", "iframe", "img", "object", "embed"))
    # plotly.js is inlined (no script src at all), and a policy forbids fetching anything
    assert not [u for u in page.urls if u[0] == "script"]
    assert max(len(s) for s in page.scripts) > 1_000_000
    policies = [m["content"] for m in page.meta if m.get("http-equiv", "").lower() == "content-security-policy"]
    assert policies and "default-src 'none'" in policies[0]
    # the only URL text in the whole file is the run's local target
    found = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert {urlparse(u).hostname for u in found} <= LOCAL_HOSTS, found


def test_html_report_shows_the_verdict_and_the_observed_values(run_dir: Path) -> None:
    written = write_report(run_dir)
    text = written.html.read_text(encoding="utf-8")
    result = written.result
    assert '<span class="badge PASS">PASS</span>' in text
    for outcome in result.thresholds:
        assert outcome.expression.replace("<", "&lt;") in text
    guardrail = result.metrics["guardrail_latency"].trend
    assert f"p95 {guardrail.p95:.0f} ms" in text  # the guardrail chart's caption
    for scenario in result.scenarios:
        assert f"{scenario}: p50 " in text  # one latency subplot per scenario


def test_markdown_summary_has_the_verdict_table(run_dir: Path) -> None:
    written = write_report(run_dir)
    assert written.markdown == run_dir / MARKDOWN_FILE_NAME
    text = written.markdown.read_text(encoding="utf-8")
    result = written.result
    assert text.startswith(f"# Run {result.meta.run_id}: PASS")
    assert "| threshold | expression | observed | verdict | note |" in text
    verdict = text.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in verdict.splitlines() if line.startswith("| ")][1:]  # after the header row
    assert [row.split(" | ")[0][2:] for row in rows] == [t.metric for t in result.thresholds]
    p95 = next(t for t in result.thresholds if t.metric == "http_req_duration" and t.expression == "p(95)<200")
    assert f"| http_req_duration | p(95)<200 | {p95.observed:.1f} ms | ok |  |" in text
    assert "[report.html](report.html)" in text
    for scenario in result.scenarios:
        assert f"| {scenario} |" in text


def test_one_format_only(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    written = write_report(run_dir / "result.json", formats=["md"], out_dir=out)
    assert written.html is None and written.markdown == out / MARKDOWN_FILE_NAME
    assert not (out / HTML_FILE_NAME).exists() and not (run_dir / MARKDOWN_FILE_NAME).exists()
    assert "[report.html]" not in written.markdown.read_text()
