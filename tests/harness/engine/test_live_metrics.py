"""The live metrics: buckets read from HdrHistograms, the collector over a real Aggregator fed by
real Recorders (one producer and two), the endpoint's lifecycle, and `bwperf run`'s checks of
--metrics-port / --metrics-host."""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from harness.errors import EXIT_INPUT, InputError
from harness.health.host import read_pressure
from harness.live import names
from harness.live.address import check_metrics_address
from harness.live.buckets import cumulative_buckets
from harness.live.collector import GeneratorProcesses, LiveCollector
from harness.metrics import hdr
from harness.metrics.aggregate import Aggregator
from harness.metrics.failures import FailureClass
from harness.metrics.recorder import Recorder

from .conftest import FIXTURES, bwperf, free_port


class Clock:
    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


# ── buckets ──────────────────────────────────────────────────────────────────────────────────

def test_buckets_count_values_at_or_below_each_bound() -> None:
    rng = random.Random(7)
    bounds_s = names.BUCKET_BOUNDS_S
    # values away from every bound by more than the histogram's 0.1 % precision, and the bounds themselves
    values_us = [v for v in (int(rng.lognormvariate(9, 2.5)) + 1 for _ in range(5000))
                 if v <= hdr.HDR_HIGHEST_US and all(abs(v - b * 1e6) > 0.002 * b * 1e6 for b in bounds_s)]
    values_us += [int(b * 1e6) for b in bounds_s]
    histogram = hdr.new_histogram()
    for value in values_us:
        histogram.record_value(value)
    buckets = cumulative_buckets(histogram, bounds_s)
    expected = [(b, sum(1 for v in values_us if v <= b * 1e6)) for b in bounds_s] + [(float("inf"), len(values_us))]
    assert buckets == expected
    assert [count for _, count in buckets] == sorted(count for _, count in buckets)


def test_an_empty_histogram_has_empty_buckets() -> None:
    assert cumulative_buckets(hdr.new_histogram(), (0.1, 1.0)) == [(0.1, 0), (1.0, 0), (float("inf"), 0)]


# ── the collector over a real Aggregator ─────────────────────────────────────────────────────

def record_run(recorder: Recorder, clock: Clock, *, ok: int, failed_429: int, dropped: int) -> None:
    """One scenario "browse": `ok` 12 ms GETs and `failed_429` rate-limited ones, one iteration each."""
    for index in range(ok + failed_429):
        clock.now_s = 0.01 * index
        failure = FailureClass.RATE_LIMITED_429 if index >= ok else None
        recorder.record_iteration_start(scenario="browse", lag_ms=2.0)
        recorder.record_request(scenario="browse", method="GET", name="/problems?page=2", duration_ms=12.0, failure=failure)
        recorder.record_iteration_end(scenario="browse", duration_ms=13.0, error=False, scheduled_duration_ms=15.0)
    for _ in range(dropped):
        recorder.record_drop(scenario="browse")


def scrape(collector: LiveCollector) -> dict[str, dict[tuple, float]]:
    """metric sample name -> {sorted label items: value}"""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def collector_for(aggregator: Aggregator) -> LiveCollector:
    return LiveCollector(aggregator, processes=GeneratorProcesses([("local", os.getpid())]),
                         run_labels={"run_id": "r1", "plan": "plan.yaml", "profile": "smoke"})


@pytest.mark.parametrize("producers", [1, 2])
def test_the_collector_serves_the_merged_totals(producers: int) -> None:
    aggregator = Aggregator(window_s=1.0, producers=producers)
    for producer in range(producers):
        clock = Clock()
        recorder = Recorder(run_start_s=0.0, window_s=1.0, clock=clock)
        record_run(recorder, clock, ok=30, failed_429=5, dropped=3)
        windows, closed = recorder.take_all(gauges={"browse": (4, 6)})
        aggregator.add(windows, producer=f"worker {producer}", closed_through=closed)
    collector = collector_for(aggregator)
    samples = scrape(collector)
    request = (("method", "GET"), ("name", "/problems"), ("scenario", "browse"))
    assert samples["bwperf_http_requests_total"] == {
        (*request[:2], ("outcome", "ok"), request[2]): 30.0 * producers,
        (*request[:2], ("outcome", "429"), request[2]): 5.0 * producers}
    assert samples["bwperf_http_request_duration_seconds_count"] == {request: 35.0 * producers}
    assert samples["bwperf_http_request_duration_seconds_sum"][request] == pytest.approx(0.012 * 35 * producers)
    buckets = samples["bwperf_http_request_duration_seconds_bucket"]
    assert buckets[(("le", "0.01"), *request)] == 0 and buckets[(("le", "0.025"), *request)] == 35.0 * producers
    assert buckets[(("le", "+Inf"), *request)] == 35.0 * producers
    scenario = (("scenario", "browse"),)
    assert samples["bwperf_iterations_total"] == {scenario: 35.0 * producers}
    assert samples["bwperf_dropped_iterations_total"] == {scenario: 3.0 * producers}
    for name, value_s in (("iteration_start_lag", 0.002), ("iteration_duration", 0.013),
                          ("iteration_duration_scheduled", 0.015)):
        assert samples[f"bwperf_{name}_seconds_count"] == {scenario: 35.0 * producers}, name
        assert samples[f"bwperf_{name}_seconds_sum"][scenario] == pytest.approx(value_s * 35 * producers), name
    assert samples["bwperf_vus"] == {scenario: 4.0 * producers}  # busy VUs of every producer, summed
    assert samples["bwperf_vus_max"] == {scenario: 6.0 * producers}
    assert samples["bwperf_run_info"] == {(("plan", "plan.yaml"), ("profile", "smoke"), ("run_id", "r1")): 1.0}
    cpu = samples["bwperf_generator_cpu_seconds_total"]
    assert list(cpu) == [(("pid", str(os.getpid())), ("role", "local"))] and cpu[list(cpu)[0]] > 0
    assert collector.scrapes == 1


def test_host_cpu_pressure_is_the_kernels_psi_total() -> None:
    reading = read_pressure("cpu")
    if reading.some_us is None:
        pytest.skip("this kernel has no /proc/pressure/cpu")
    served = scrape(collector_for(Aggregator(window_s=1.0, producers=1)))["bwperf_host_cpu_pressure_seconds_total"]
    after = read_pressure("cpu")
    assert reading.some_us / 1e6 <= served[(("kind", "some"),)] <= after.some_us / 1e6  # type: ignore[operator]


def test_every_documented_name_is_served() -> None:
    aggregator = Aggregator(window_s=1.0, producers=1)
    clock = Clock()
    recorder = Recorder(run_start_s=0.0, window_s=1.0, clock=clock)
    record_run(recorder, clock, ok=1, failed_429=0, dropped=0)
    aggregator.add(*recorder.take_all(gauges={"browse": (1, 1)})[:1], producer="local", closed_through=0)
    served = {name.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum")
              for name in scrape(collector_for(aggregator))}
    assert served >= set(names.METRIC_NAMES) - {names.HOST_CPU_PRESSURE}
    doc = (Path(__file__).resolve().parents[3] / "docs" / "live-metrics.md").read_text()
    assert all(name in doc for name in names.METRIC_NAMES), "docs/live-metrics.md must list every metric"


# ── the endpoint ─────────────────────────────────────────────────────────────────────────────

def test_the_server_stops_after_the_linger_without_a_scrape_and_frees_the_port() -> None:
    from harness.live.server import MetricsServer

    port = free_port()
    server = MetricsServer(collector_for(Aggregator(window_s=1.0, producers=1)), host="127.0.0.1", port=port)
    server.start()
    with pytest.raises(InputError, match=f"--metrics-port {port}: cannot listen on 127.0.0.1:{port}"):
        MetricsServer(collector_for(Aggregator(window_s=1.0, producers=1)), host="127.0.0.1", port=port).start()
    assert server.finish(linger_s=0.2) is False
    check_metrics_address(host="127.0.0.1", port=port, expose=False)  # free again


# ── the address checks ───────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("host", "port", "expose", "message"), [
    ("127.0.0.1", 0, False, "--metrics-port must be 1-65535, but is 0"),
    ("127.0.0.1", 65536, False, "--metrics-port must be 1-65535, but is 65536"),
    ("0.0.0.0", 9464, False, "--metrics-host 0.0.0.0 is not a loopback address"),
    ("10.1.2.3", 9464, False, "add --metrics-expose"),
    ("10.1.2.3", 9464, True, "cannot listen on 10.1.2.3:9464"),  # asked for, but not this machine's
])
def test_bad_addresses_are_refused(host: str, port: int, expose: bool, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_metrics_address(host=host, port=port, expose=expose)


def test_loopback_addresses_are_accepted() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        try:
            check_metrics_address(host=host, port=free_port(), expose=False)
        except InputError as error:
            assert "::1" in host and "Cannot assign" in str(error)  # a host without IPv6


def test_a_taken_port_is_refused() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_metrics_address(host="127.0.0.1", port=port, expose=False)


@pytest.mark.parametrize("args", [
    ["--metrics-port", "0"],
    ["--metrics-port", "99999"],
    ["--metrics-port", "9464", "--metrics-host", "192.0.2.1"],
    ["--metrics-port", "9464", "--metrics-linger", "-1"],
])
def test_bwperf_run_refuses_bad_metrics_options_in_one_line(args: list[str], tmp_path: Path) -> None:
    done = bwperf(str(FIXTURES / "engine_smoke.yaml"), "--target", "http://127.0.0.1:9", "--out", str(tmp_path), *args)
    assert done.returncode == EXIT_INPUT, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --metrics-"), done.stderr
    assert not list(tmp_path.iterdir()), "nothing runs after a bad option"


def test_a_worker_has_no_metrics_port() -> None:
    done = bwperf("--worker", "--metrics-port", "9464")
    assert done.returncode == EXIT_INPUT and "served by the master" in done.stderr, done.stderr
