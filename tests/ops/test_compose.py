"""docker-compose.yml, checked without a Docker engine: its structure, that every command is a
real entry point, that ports, URLs and Prometheus targets agree, that every variable is one the
code reads, and that every healthcheck URL is a real route of the real process."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness.stack.processes import free_port, spawn, wait_until

from .conftest import (
    PENDING_BWPERF_COMMANDS,
    PENDING_ENV_NAMES,
    REPO,
    SECRET_NAME,
    Service,
    app_commands,
    check_bwperf_call,
    compose,
    interpolate,
    load_yaml,
    pending,
    python_services,
    read_env_names,
)

EXPECTED_SERVICES = {"postgres", "redis", "redis-exporter", "migrate", "api", "worker", "llm-emulator",
                     "prometheus", "grafana", "dashboard"}
# Which variable of each service holds the port it listens on, and its Prometheus job.
LISTEN_PORT_VARIABLE = {"api": "API_PORT", "worker": "WORKER_METRICS_PORT", "llm-emulator": "LLM_EMULATOR_PORT"}
PROMETHEUS_JOB = {"api": "api", "worker": "worker", "llm-emulator": "llm-emulator", "redis-exporter": "redis"}
URL = re.compile(r"https?://[^\s'\"]+")


def _command(spec: dict[str, Any]) -> list[str]:
    command = spec.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _healthcheck_urls(spec: dict[str, Any]) -> list[str]:
    test = spec.get("healthcheck", {}).get("test", [])
    return URL.findall(" ".join(test) if isinstance(test, list) else str(test))


def _container_ports(spec: dict[str, Any]) -> list[int]:
    return [int(str(mapping).rsplit(":", 1)[-1].split("/")[0]) for mapping in spec.get("ports", [])]


def _prometheus_targets() -> dict[str, list[str]]:
    config = load_yaml("ops/prometheus/prometheus.yml")
    return {job["job_name"]: [t for sc in job.get("static_configs", []) for t in sc["targets"]]
            for job in config["scrape_configs"]}


def test_the_stack_has_every_service_the_design_names() -> None:
    assert set(compose()["services"]) == EXPECTED_SERVICES


def test_images_are_postgres_18_and_a_valkey_or_redis_and_the_exporter() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:18")
    assert re.match(r"^(valkey/valkey|redis):", services["redis"]["image"]), services["redis"]["image"]
    assert services["redis-exporter"]["image"].startswith("oliver006/redis_exporter:")
    for name, spec in python_services().items():
        assert spec["build"]["dockerfile"] == "Dockerfile", name
        assert (REPO / spec["build"]["context"] / "Dockerfile").exists()


# ── commands are real entry points ─────────────────────────────────────────────────────────

def _python_service_commands() -> list[Any]:
    params = []
    for name, spec in sorted(python_services().items()):
        argv = _command(spec)
        key = argv[1] if argv[:1] == ["bwperf"] and len(argv) > 1 else None
        params.append(pending((name, argv), PENDING_BWPERF_COMMANDS, key=key, id=name))
    return params


@pytest.mark.parametrize("service", _python_service_commands())
def test_each_python_service_runs_a_real_entry_point(service: tuple[str, list[str]],
                                                     bwperf_commands: dict[str, list[str]]) -> None:
    name, argv = service
    where = f"docker-compose.yml: service {name!r}"
    if argv[:3] == ["python", "-m", "app"]:
        assert len(argv) >= 4 and argv[3] in app_commands(), (
            f"{where}: `{' '.join(argv)}` is not one of app/__main__.py's COMMANDS ({', '.join(sorted(app_commands()))})")
    elif argv[:1] == ["bwperf"]:
        check_bwperf_call(bwperf_commands, argv[1:], where=where)
    else:
        pytest.fail(f"{where}: command {argv} is neither `python -m app ...` nor `bwperf ...`")


def test_migrations_run_first_and_gate_the_api_and_the_worker() -> None:
    services = compose()["services"]
    assert _command(services["migrate"]) == ["python", "-m", "app", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


# ── ports, URLs and targets agree ──────────────────────────────────────────────────────────

@pytest.mark.parametrize("name", sorted(LISTEN_PORT_VARIABLE))
def test_listen_port_mapping_healthcheck_and_scrape_target_agree(name: str) -> None:
    spec = compose()["services"][name]
    port = int(spec["environment"][LISTEN_PORT_VARIABLE[name]])
    assert _container_ports(spec) == [port], f"{name}: ports {spec.get('ports')} do not map {port}"
    urls = _healthcheck_urls(spec)
    assert urls, f"{name}: no healthcheck URL"
    for url in urls:
        parts = urlsplit(url)
        assert (parts.hostname, parts.port) == ("127.0.0.1", port), f"{name}: healthcheck {url} is not port {port}"
    assert _prometheus_targets()[PROMETHEUS_JOB[name]] == [f"{name}:{port}"]


def test_dashboard_port_flag_mapping_and_healthcheck_agree() -> None:
    spec = compose()["services"]["dashboard"]
    argv = _command(spec)
    port = int(argv[argv.index("--port") + 1])
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert _container_ports(spec) == [port]
    assert [urlsplit(url).port for url in _healthcheck_urls(spec)] == [port]


def test_prometheus_scrapes_the_exporter_and_loads_the_rules() -> None:
    services = compose()["services"]
    assert _prometheus_targets()["redis"] == [f"redis-exporter:{_container_ports(services['redis-exporter'])[0]}"]
    assert services["redis-exporter"]["environment"]["REDIS_ADDR"] == "redis://redis:6379"
    prometheus = services["prometheus"]
    assert "./ops/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert load_yaml("ops/prometheus/prometheus.yml")["rule_files"] == ["alerts.yml"]


def test_the_worker_reaches_the_emulator_by_service_name_and_port() -> None:
    services = compose()["services"]
    base_url = services["worker"]["environment"]["ANTHROPIC_BASE_URL"]
    assert base_url.startswith("${ANTHROPIC_BASE_URL:-"), "the real API must stay one .env line away"
    parts = urlsplit(interpolate(base_url))
    assert (parts.hostname, parts.port) == ("llm-emulator", int(services["llm-emulator"]["environment"]["LLM_EMULATOR_PORT"]))
    assert services["worker"]["depends_on"]["llm-emulator"]["condition"] == "service_healthy"


def test_database_and_redis_urls_name_the_compose_services() -> None:
    services = compose()["services"]
    env = services["api"]["environment"]
    database, redis = urlsplit(interpolate(env["DATABASE_URL"])), urlsplit(interpolate(env["REDIS_URL"]))
    assert (database.hostname, database.port, database.path) == ("postgres", 5432, "/betterworld")
    assert database.username == services["postgres"]["environment"]["POSTGRES_USER"]
    assert database.path.lstrip("/") == services["postgres"]["environment"]["POSTGRES_DB"]
    assert (redis.hostname, redis.port) == ("redis", 6379)
    assert "${REDIS_PASSWORD" in env["REDIS_URL"] and "${POSTGRES_PASSWORD" in env["DATABASE_URL"]


def test_published_ports_bind_the_host_loopback_only() -> None:
    for name, spec in compose()["services"].items():
        for mapping in spec.get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), f"{name}: port {mapping} is published on every interface"


def test_every_long_running_service_that_can_have_a_healthcheck_has_one() -> None:
    for name, spec in compose()["services"].items():
        if name in {"migrate", "redis-exporter"}:  # one-shot; the exporter's image has no shell
            continue
        assert spec.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


# ── the broker-safe Redis ──────────────────────────────────────────────────────────────────

def test_redis_runs_the_repository_config_with_noeviction_documented() -> None:
    spec = compose()["services"]["redis"]
    argv = _command(spec)
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in spec["volumes"]}
    assert argv[0] in {"valkey-server", "redis-server"}
    assert mounts[argv[1]] == "./ops/redis/redis.conf", f"{argv[1]} is not the mounted ops/redis/redis.conf"
    assert mounts["/data"] == "redis-data"
    assert not any("maxmemory-policy" in arg for arg in argv), "the policy belongs in redis.conf"
    text = (REPO / "docker-compose.yml").read_text()
    assert "noeviction" in text and "separate cache instance" in text, (
        "docker-compose.yml must say why one broker-safe instance is used")


# ── variables are ones the code reads; secrets come from .env ──────────────────────────────

def _compose_env_names() -> list[Any]:
    names = sorted({key for spec in python_services().values() for key in spec.get("environment", {})})
    return [pending(name, PENDING_ENV_NAMES) for name in names]


@pytest.fixture(scope="module")
def names_the_code_reads() -> set[str]:
    return read_env_names()


@pytest.mark.parametrize("name", _compose_env_names())
def test_every_variable_set_for_a_python_service_is_read_by_the_code(name: str, names_the_code_reads: set[str]) -> None:
    assert name in names_the_code_reads, (
        f"docker-compose.yml sets {name}, which neither app/config.py, app/worker/settings.py nor "
        f"app/llm_emulator/main.py reads")


def test_secrets_are_interpolated_from_env_never_written_in_compose() -> None:
    for name, spec in compose()["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert value in ("", None) or str(value).startswith("${"), (
                    f"docker-compose.yml: {name}.{key} has a literal value; take it from .env as ${{{key}}}")


# ── healthchecks point at real routes of the real processes ───────────────────────────────

def _paths(service: str) -> list[str]:
    return [urlsplit(url).path for url in _healthcheck_urls(compose()["services"][service])]


def test_the_api_healthcheck_routes_answer_200_on_the_real_api(running_api: Service) -> None:
    paths = _paths("api") + ["/health"]  # /health: the Dockerfile's HEALTHCHECK
    for path in paths:
        status, body = running_api.get(path)
        assert status == 200, f"GET {path} on `python -m app api` answered {status}: {body[:200]!r}"
    assert running_api.get("/metrics")[0] == 200


def test_the_worker_healthcheck_route_answers_200_on_the_real_worker(running_worker: Service) -> None:
    for path in _paths("worker"):
        status, body = running_worker.get(path)
        assert status == 200, f"GET {path} on `python -m app worker` answered {status}: {body[:200]!r}"


def test_the_emulator_healthcheck_route_answers_200_on_the_real_emulator(running_emulator: Service) -> None:
    for path in _paths("llm-emulator"):
        status, body = running_emulator.get(path)
        assert status == 200, f"GET {path} on `python -m app llm-emulator` answered {status}: {body[:200]!r}"


@pytest.mark.xfail("dashboard" in PENDING_BWPERF_COMMANDS, strict=True,
                   reason=PENDING_BWPERF_COMMANDS.get("dashboard", ""))
def test_the_dashboard_healthcheck_route_answers_200_on_the_real_dashboard(tmp_path: Path) -> None:
    argv = _command(compose()["services"]["dashboard"])
    port = free_port()
    argv[argv.index("--port") + 1] = str(port)
    argv[argv.index("--host") + 1] = "127.0.0.1"
    process = spawn("dashboard", [sys.executable, "-m", "bwperf", *argv[1:]], log_path=tmp_path / "dashboard.log",
                    env=dict(os.environ), cwd=REPO)
    service = Service(process, f"http://127.0.0.1:{port}")
    try:
        for path in _paths("dashboard"):
            wait_until(lambda: service.get(path, timeout_s=2)[0] == 200, process=process, timeout_s=60,
                       what=f"answering GET {path} with 200")
    finally:
        process.stop()
