"""`bwperf run --metrics-port` scraped by a real Prometheus server (Debian's /usr/bin/prometheus)
on 127.0.0.1, every second: after the run, PromQL over its HTTP API counts what result.json
counts, for one process and for the master's merged view of two workers."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.errors import EXIT_OK
from harness.results import load_result

from .conftest import FIXTURES, bwperf, free_port

PROMETHEUS = shutil.which("prometheus")
pytestmark = pytest.mark.skipif(PROMETHEUS is None, reason="prometheus is not installed (Debian: apt-get install prometheus)")

# The last value of each series the run served (range selections skip the staleness markers
# Prometheus writes once the generator has stopped serving).
LAST = "last_over_time({metric}[10m])"


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, promql: str) -> dict[str, float]:
        """An instant query's vector, keyed by the label values joined with "/"."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=10).json()
        assert answer["status"] == "success", answer
        return {"/".join(item["metric"].values()): float(item["value"][1]) for item in answer["data"]["result"]}

    def query_until(self, promql: str, expected: dict[str, float], *, timeout_s: float = 5.0) -> dict[str, float]:
        """The query's answer once it equals `expected` (the last scrape may still be committing)."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.query(promql)
            if found == expected or time.monotonic() > deadline:
                return found
            time.sleep(0.2)


@pytest.fixture
def prometheus_scraping(tmp_path: Path) -> Iterator[tuple[Prometheus, int]]:
    """A Prometheus on 127.0.0.1 scraping 127.0.0.1:<port> every second; yields it and the port."""
    port, web_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        f"scrape_configs:\n  - job_name: bwperf\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{web_port}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{web_port}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(url):
            assert process.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "prometheus not ready in 30 s"
            time.sleep(0.2)
        yield Prometheus(url), port
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def one_window_plan(tmp_path: Path) -> Path:
    """engine_smoke.yaml with one 10 s window: nothing closes before the load ends, so only a
    scrape after the end can see any request (the final scrape is what is tested)."""
    text = (FIXTURES / "engine_smoke.yaml").read_text()
    text = text.replace("behaviours: engine_behaviours.py", f"behaviours: {FIXTURES / 'engine_behaviours.py'}")
    plan = tmp_path / "one_window.yaml"
    plan.write_text(text.replace("window: 500ms", "window: 10s"))
    assert "window: 10s" in plan.read_text() and str(FIXTURES) in plan.read_text()
    return plan


def _run_and_compare(prometheus: Prometheus, port: int, tmp_path: Path, server_url: str, *extra: str) -> None:
    out = tmp_path / "out"
    done = bwperf(str(one_window_plan(tmp_path)), "--target", server_url, "--out", str(out),
                  "--metrics-port", str(port), "--metrics-linger", "15", *extra)
    assert done.returncode == EXIT_OK, done.stderr
    result = load_result(next(out.glob("*/result.json")))
    assert not any("no scrape of the final metrics" in w for w in result.warnings), result.warnings

    requests = {name: float(s.requests) for name, s in result.scenarios.items()}
    by_scenario = "sum by (scenario) ({})"
    assert prometheus.query_until(by_scenario.format(LAST.format(metric="bwperf_http_requests_total")),
                                  requests) == requests
    assert prometheus.query(by_scenario.format(LAST.format(metric="bwperf_http_request_duration_seconds_count"))) == requests
    total = result.metrics["http_reqs"].count
    assert prometheus.query(f"sum({LAST.format(metric='bwperf_http_requests_total')})") == {"": float(total)}
    assert prometheus.query(by_scenario.format(LAST.format(metric="bwperf_iterations_total"))) == {
        name: float(s.iterations_completed) for name, s in result.scenarios.items()}
    assert prometheus.query(by_scenario.format(LAST.format(metric="bwperf_dropped_iterations_total"))) == {
        name: float(s.dropped_iterations) for name, s in result.scenarios.items()}
    # the +Inf bucket is the count, and a p95 read from the buckets is a latency of this run
    inf = prometheus.query(f'sum({LAST.format(metric="bwperf_http_request_duration_seconds_bucket{le=" + chr(34) + "+Inf" + chr(34) + "}")})')
    assert inf == {"": float(total)}
    p95 = prometheus.query("histogram_quantile(0.95, sum by (le) (last_over_time(bwperf_http_request_duration_seconds_bucket[10m])))")
    assert 0 < p95[""] <= 60


def test_prometheus_counts_what_result_json_counts(server, prometheus_scraping, tmp_path):
    prometheus, port = prometheus_scraping
    _run_and_compare(prometheus, port, tmp_path, server.url)
    cpu = prometheus.query(f"sum by (role) ({LAST.format(metric='bwperf_generator_cpu_seconds_total')})")
    assert set(cpu) == {"local"} and cpu["local"] > 0


def test_the_master_serves_the_merged_view_of_two_workers(server, prometheus_scraping, tmp_path):
    prometheus, port = prometheus_scraping
    _run_and_compare(prometheus, port, tmp_path, server.url, "--workers", "2", "--master-port", str(free_port()))
    cpu = prometheus.query(f"count by (role) ({LAST.format(metric='bwperf_generator_cpu_seconds_total')})")
    assert cpu == {"master": 1.0, "worker": 2.0}
