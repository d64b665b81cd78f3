"""ops/prometheus: every metric an alert reads is one the services really export (scraped from a
real API and a real worker started against the embedded servers; redis_exporter's names from the
list below), every `job` label is a scrape job, and promtool accepts and unit-tests the rules
when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any, Iterator

import pytest

from .conftest import REPO, Service, exported_metric_names, load_yaml

# redis_exporter (oliver006/redis_exporter, exporter/exporter.go): INFO fields it maps
# (metricMapGauges/metricMapCounters, prefixed `redis_`), `redis_up`, `redis_instance_info`
# (labels include maxmemory_policy) and `redis_config_maxclients`/`redis_config_maxmemory`
# from CONFIG GET. Only the names these rules may use; add one here with its source when needed.
REDIS_EXPORTER_METRICS = {
    "redis_up", "redis_instance_info", "redis_config_maxclients", "redis_config_maxmemory",
    "redis_connected_clients", "redis_blocked_clients", "redis_rejected_connections_total",
    "redis_memory_used_bytes", "redis_memory_used_rss_bytes", "redis_memory_max_bytes",
    "redis_aof_enabled", "redis_aof_last_bgrewrite_status", "redis_aof_last_write_status",
    "redis_rdb_last_bgsave_status", "redis_evicted_keys_total", "redis_expired_keys_total",
    "redis_commands_processed_total", "redis_stream_length", "redis_stream_group_messages_pending",
}
PROMETHEUS_SYNTHETIC = {"up"}  # set by Prometheus per target

# The names the platform's engineers were given (the contract with these rules and the dashboard).
API_CONTRACT = {
    "http_request_duration_seconds_bucket", "http_requests_total", "http_requests_in_flight", "db_pool_size",
    "db_pool_available", "db_pool_waiting", "db_pool_timeouts_total", "guardrail_queue_length",
    "rate_limit_rejections_total", "rate_limit_backend_errors_total",
}
WORKER_CONTRACT = {
    "guardrail_evaluation_duration_seconds_bucket", "guardrail_llm_call_duration_seconds_bucket",
    "guardrail_evaluations_total", "guardrail_queue_length", "guardrail_pending_jobs",
    "guardrail_oldest_pending_age_seconds", "guardrail_dead_letter_total", "guardrail_llm_tokens_total",
    "guardrail_llm_cost_usd_total", "process_resident_memory_bytes",
}
PROMQL_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
                   "offset", "bool", "inf", "nan"}
IDENTIFIER = r"(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*"


def alert_rules() -> Iterator[dict[str, Any]]:
    for group in load_yaml("ops/prometheus/alerts.yml")["groups"]:
        yield from group["rules"]


def metric_selectors(expr: str) -> set[tuple[str, str | None]]:
    """(metric name, value of its `job` matcher or None) for every series an expression reads."""
    text = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    found: set[tuple[str, str | None]] = set()
    for match in re.finditer(IDENTIFIER + r"\s*\{([^}]*)\}", text):
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", match.group(0)).group(0)  # type: ignore[union-attr]
        job = re.search(r'\bjob\s*=\s*"([^"]*)"', match.group(1))
        found.add((name, job.group(1) if job else None))
    bare = re.sub(r"\{[^}]*\}", "", text)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)
    for match in re.finditer(IDENTIFIER, bare):
        word = match.group(0)
        if word in PROMQL_KEYWORDS or bare[match.end():].lstrip().startswith("("):
            continue
        if not any(name == word for name, _ in found):
            found.add((word, None))
    return found


def test_metric_selectors_parses_promql() -> None:
    expr = ('sum(rate(http_requests_total{job="api", status=~"5.."}[5m])) / sum by (le) '
            '(rate(x_bucket[1h] offset 1h)) > 0.1 and on (instance) redis_up == 0')
    assert metric_selectors(expr) == {("http_requests_total", "api"), ("x_bucket", None), ("redis_up", None)}


def test_rules_are_well_formed_and_each_links_an_existing_runbook() -> None:
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names)), "alert names must be unique"
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert "for" in rule, f"{rule['alert']}: state `for:` (0m when it should fire at once)"
        annotations = rule["annotations"]
        assert annotations.get("summary") and annotations.get("description"), rule["alert"]
        url = annotations.get("runbook_url", "")
        assert url.startswith("docs/runbooks/") and (REPO / url).is_file(), f"{rule['alert']}: runbook_url {url!r}"


def test_every_job_label_is_a_scrape_job() -> None:
    jobs = {job["job_name"] for job in load_yaml("ops/prometheus/prometheus.yml")["scrape_configs"]}
    for rule in alert_rules():
        for _, job in metric_selectors(rule["expr"]):
            assert job is None or job in jobs, f"{rule['alert']}: job {job!r} is not scraped ({sorted(jobs)})"


# ── names against the real exports ─────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def api_metrics(running_api: Service) -> set[str]:
    for path in ("/health", "/ready", "/api/v1/no-such-route"):
        running_api.get(path)  # a few labelled samples
    status, body = running_api.get("/metrics")
    assert status == 200
    return exported_metric_names(body.decode())


@pytest.fixture(scope="module")
def worker_metrics(running_worker: Service) -> set[str]:
    status, body = running_worker.get("/metrics")
    assert status == 200
    return exported_metric_names(body.decode())


def test_every_metric_an_alert_reads_is_exported(api_metrics: set[str], worker_metrics: set[str]) -> None:
    exported = {"api": api_metrics, "worker": worker_metrics}
    problems = []
    for rule in alert_rules():
        for name, job in metric_selectors(rule["expr"]):
            if name in PROMETHEUS_SYNTHETIC:
                continue
            if job in exported:
                ok = name in exported[job]
                source = f"the real {job}'s /metrics"
            else:
                ok = name in REDIS_EXPORTER_METRICS
                source = "redis_exporter's documented names (REDIS_EXPORTER_METRICS)"
            if not ok:
                problems.append(f"{rule['alert']}: {name} is not in {source}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(API_CONTRACT))
def test_the_api_exports_the_contract_metric(name: str, api_metrics: set[str]) -> None:
    assert name in api_metrics, f"`python -m app api` does not export {name} on /metrics"


@pytest.mark.parametrize("name", sorted(WORKER_CONTRACT))
def test_the_worker_exports_the_contract_metric(name: str, worker_metrics: set[str]) -> None:
    assert name in worker_metrics, f"`python -m app worker` does not export {name} on /metrics"


def test_contract_labels_are_present(running_api: Service, running_worker: Service) -> None:
    api = running_api.get("/metrics")[1].decode()
    worker = running_worker.get("/metrics")[1].decode()
    for name, text, labels in (
        ("http_requests_total", api, ("route", "method", "status")),
        ("http_request_duration_seconds_bucket", api, ("route", "method", "status", "le")),
        ("guardrail_evaluations_total", worker, ("outcome", "tier")),
    ):
        samples = re.findall(rf"^{name}\{{([^}}]*)\}}", text, re.MULTILINE)
        assert samples, f"no {name} sample"
        keys = set(re.findall(r'(\w+)="', samples[0]))
        assert set(labels) <= keys, f"{name} has labels {sorted(keys)}, expected {labels}"


# ── promtool, when installed ───────────────────────────────────────────────────────────────

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install prometheus)")


@needs_promtool
@pytest.mark.parametrize("args", [
    ["check", "config", "ops/prometheus/prometheus.yml"],
    ["check", "rules", "ops/prometheus/alerts.yml"],
    ["test", "rules", "ops/prometheus/alerts_test.yml"],
], ids=["check-config", "check-rules", "test-rules"])
def test_promtool(args: list[str]) -> None:
    result = subprocess.run([PROMTOOL, *args], cwd=REPO, capture_output=True, text=True, timeout=60)  # type: ignore[list-item]
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}{result.stderr}"
