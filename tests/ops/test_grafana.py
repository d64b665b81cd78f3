"""ops/grafana and the generator's scrape job: the dashboard JSON is valid, provisioned by the
compose file with the data source its panels name, and every PromQL expression in it reads
metrics that exist: the generator's from a real `harness.live` collector over a real Aggregator,
the API's and the worker's from the real processes' /metrics, redis_exporter's from its
documented names; every `job` label is a scrape job of ops/prometheus/prometheus.yml."""

from __future__ import annotations

import json
import os
from typing import Any, Iterator

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from harness.live.collector import GeneratorProcesses, LiveCollector
from harness.metrics.aggregate import Aggregator
from harness.metrics.failures import FailureClass
from harness.metrics.recorder import Recorder

from .conftest import REPO, Service, compose, exported_metric_names, load_yaml
from .test_alert_rules import PROMETHEUS_SYNTHETIC, REDIS_EXPORTER_METRICS, metric_selectors

DASHBOARD = "ops/grafana/dashboards/bwperf.json"
GENERATOR_PORT = 9464  # the port docs/live-metrics.md and docker-compose.yml tell users to pass
# What the dashboard must put on one time axis (issue 17): load, then the platform's own metrics.
REQUIRED = {
    "bwperf_http_requests_total", "bwperf_http_request_duration_seconds_bucket", "bwperf_vus",
    "http_request_duration_seconds_bucket", "db_pool_available", "db_pool_waiting", "guardrail_queue_length",
    "redis_memory_used_bytes",
}


def dashboard() -> dict[str, Any]:
    return json.loads((REPO / DASHBOARD).read_text())


def expressions() -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) of every query in the dashboard."""
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def generator_exposition() -> str:
    """A real collector's exposition after a few recorded requests of every kind."""
    clock = [0.0]
    recorder = Recorder(run_start_s=0.0, window_s=1.0, clock=lambda: clock[0])
    for failure in (None, FailureClass.SERVER_5XX):
        recorder.record_iteration_start(scenario="s", lag_ms=1.0)
        recorder.record_request(scenario="s", method="GET", name="/x", duration_ms=5.0, failure=failure)
        recorder.record_iteration_end(scenario="s", duration_ms=6.0, error=False, scheduled_duration_ms=7.0)
    recorder.record_drop(scenario="s")
    aggregator = Aggregator(window_s=1.0, producers=1)
    windows, closed = recorder.take_all(gauges={"s": (1, 2)})
    aggregator.add(windows, producer="local", closed_through=closed)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LiveCollector(aggregator, processes=GeneratorProcesses([("local", os.getpid())]),  # type: ignore[arg-type]
                                    run_labels={"run_id": "r"}))
    return generate_latest(registry).decode()


def test_the_dashboard_is_valid_json_with_unique_ids_and_the_provisioned_data_source() -> None:
    board = dashboard()
    assert board["uid"] and board["title"] and board["schemaVersion"] >= 36
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    source = load_yaml("ops/grafana/provisioning/datasources/prometheus.yml")["datasources"]
    uids = {s["uid"] for s in source if s["type"] == "prometheus"}
    for panel in board["panels"]:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), panel["title"]
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] in uids, f"{panel['title']}: data source {target['datasource']}"
            assert target["expr"].strip(), panel["title"]
    assert list(expressions()), "no query in the dashboard"


def test_the_dashboard_shows_load_and_the_platform_on_one_time_axis() -> None:
    read = {name for _, expr in expressions() for name, _ in metric_selectors(expr)}
    assert REQUIRED <= read, f"missing: {sorted(REQUIRED - read)}"


def test_every_job_label_in_the_dashboard_is_a_scrape_job() -> None:
    jobs = {job["job_name"] for job in load_yaml("ops/prometheus/prometheus.yml")["scrape_configs"]}
    for title, expr in expressions():
        for _, job in metric_selectors(expr):
            assert job is None or job in jobs, f"{title}: job {job!r} is not scraped ({sorted(jobs)})"


@pytest.fixture(scope="module")
def exported(running_api: Service, running_worker: Service) -> dict[str, set[str]]:
    for path in ("/health", "/ready"):
        running_api.get(path)  # a few labelled samples
    return {"api": exported_metric_names(running_api.get("/metrics")[1].decode()),
            "worker": exported_metric_names(running_worker.get("/metrics")[1].decode()),
            "bwperf": exported_metric_names(generator_exposition())}


def test_every_metric_the_dashboard_reads_exists(exported: dict[str, set[str]]) -> None:
    problems = []
    for title, expr in expressions():
        for name, job in metric_selectors(expr):
            if name in PROMETHEUS_SYNTHETIC:
                continue
            if name.startswith("bwperf_"):
                job = "bwperf"
            if job in exported:
                ok, source = name in exported[job], f"the real {job}'s /metrics"
            else:
                ok, source = name in REDIS_EXPORTER_METRICS, "redis_exporter's documented names"
            if not ok:
                problems.append(f"{title}: {name} is not in {source}")
    assert not problems, "\n".join(problems)


def test_compose_provisions_grafana_from_the_repository() -> None:
    services = compose()["services"]
    grafana = services["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    assert mounts["/etc/grafana/provisioning"] == "./ops/grafana/provisioning"
    provider = load_yaml("ops/grafana/provisioning/dashboards/bwperf.yml")["providers"][0]
    path = provider["options"]["path"]
    assert mounts[path] == "./ops/grafana/dashboards" and (REPO / mounts[path] / "bwperf.json").is_file()
    assert grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] == f"{path}/bwperf.json"
    source = load_yaml("ops/grafana/provisioning/datasources/prometheus.yml")["datasources"][0]
    assert source["url"] == "http://prometheus:9090" and "127.0.0.1:9090:9090" in services["prometheus"]["ports"]
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"  # read-only, no admin secret


def test_prometheus_scrapes_the_generator_on_the_host() -> None:
    jobs = {job["job_name"]: job for job in load_yaml("ops/prometheus/prometheus.yml")["scrape_configs"]}
    targets = [t for sc in jobs["bwperf"]["static_configs"] for t in sc["targets"]]
    assert targets == [f"host.docker.internal:{GENERATOR_PORT}"]
    assert "host.docker.internal:host-gateway" in compose()["services"]["prometheus"]["extra_hosts"]
    doc = (REPO / "docs" / "live-metrics.md").read_text()
    assert f"--metrics-port {GENERATOR_PORT}" in doc and "host.docker.internal" in doc
