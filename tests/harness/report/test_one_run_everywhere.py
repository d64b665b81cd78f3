"""One real run (the recorded `bwperf run` of scenarios/baseline.yaml against the embedded stack: it
has Redis samples and thresholds) read by every view: summary.md, report.html, the dashboard and
compare show the same Redis headroom, run-wide achieved rate and p95."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboards.app import render_page
from dashboards.context import LATEST, DashboardData
from dashboards.rates import achieved_rate_per_s, requests_detail, requests_per_s
from harness.compare import load_run
from harness.costs.result_run import measurements_from_run_result
from harness.report.writer import write_report
from harness.results import load_result
from harness.results.samples import redis_headroom
from tests.dashboards import dash_tree
from tests.harness.report.conftest import BASELINE_RESULT


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    run_id = load_result(BASELINE_RESULT).meta.run_id
    (tmp_path / "reports" / run_id).mkdir(parents=True)
    shutil.copy(BASELINE_RESULT, tmp_path / "reports" / run_id / "result.json")
    return tmp_path / "reports"


def _card(tree: object, cards_id: str, label: str) -> str:
    """The text of the card labelled `label` in the cards row `cards_id`."""
    for card in dash_tree.find(tree, cards_id).children:
        label_text, value, *detail = card.children
        if label_text.children == label:
            return dash_tree.text([value, *detail])
    raise AssertionError(f"no card {label!r} in {cards_id}")


def test_one_run_reads_the_same_in_summary_report_dashboard_and_compare(reports: Path, tmp_path: Path) -> None:
    run_dir = next(reports.iterdir())
    written = write_report(run_dir)
    summary, page = written.markdown.read_text(), written.html.read_text()
    result = load_result(run_dir)
    compared = load_run(run_dir / "result.json").metrics
    data = DashboardData(reports, tmp_path / "baselines")
    redis_page, _ = render_page(data, "/redis", LATEST)
    latency_page, _ = render_page(data, "/latency", LATEST)

    # Redis headroom: peak used_memory / maxmemory (RSS would read several times higher).
    headroom = redis_headroom(result.samples)
    assert headroom is not None and headroom.maxmemory_bytes and headroom.used_share is not None
    share = f"{100.0 * headroom.used_share:.1f} %"
    rss_share = f"{100.0 * max(s.used_memory_rss or 0 for s in result.samples.redis) / headroom.maxmemory_bytes:.1f} %"
    assert share != rss_share
    assert f"peak used_memory / maxmemory {share}" in summary
    assert f"peak used_memory / maxmemory {share}" in page  # the header and the Redis chart's caption
    assert page.count(f"peak used_memory / maxmemory {share}") == 2
    assert _card(redis_page, "redis-cards", "Peak used_memory / maxmemory") == share
    peak_bytes = compared["redis/used_memory_peak_bytes"].value
    assert peak_bytes == headroom.peak_used_bytes
    assert f"{100.0 * peak_bytes / headroom.maxmemory_bytes:.1f} %" == share
    assert measurements_from_run_result(result, source="result.json").redis_used_share == headroom.used_share
    assert rss_share not in summary and rss_share not in dash_tree.text(redis_page)

    # The run-wide rates: per second of the load phase (6 s scheduled), not of the wall time (7.08 s).
    achieved = compared["(all)/achieved_rate_per_s"].value
    assert achieved == pytest.approx(result.metrics["iterations"].count / 6.0)
    assert achieved != pytest.approx(result.metrics["iterations"].count / result.meta.duration_s)
    assert f"({achieved:.2f}/s achieved)" in summary and f"({achieved:.2f}/s achieved)" in page
    assert achieved_rate_per_s(result) == achieved
    request_rate = compared["(all)/(all)/throughput_per_s"].value
    assert f"({request_rate:.1f} req/s)" in summary and f"({request_rate:.1f} req/s)" in page
    assert requests_per_s(result) == request_rate
    assert requests_detail(result).startswith(f"{request_rate:,.1f} req/s")

    # p95 of all requests: the clamped value the result stores, everywhere.
    p95 = compared["(all)/(all)/latency_p95_ms"].value
    assert p95 == result.metrics["http_req_duration"].trend.p95
    assert f"p95 {p95:.1f} ms" in summary and f"p95 {p95:.1f} ms" in page
    assert _card(latency_page, "latency-cards", "p95, all requests").startswith(f"{p95:,.1f} ms")
    for request in result.requests:  # and per request, in the Requests table of both files
        value = compared[f"{request.scenario}/{request.method} {request.name}/latency_p95_ms"].value
        assert value == request.duration_ms.p95
        row = next(line for line in summary.splitlines() if line.startswith(f"| {request.scenario} | "
                                                                          f"{request.method} {request.name} |"))
        assert f" {value:.1f} |" in row
