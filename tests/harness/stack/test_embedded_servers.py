"""The embedded servers start, answer, carry the broker settings, and leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import psutil
import psycopg
import redis

from app.migrate import apply_migrations, migration_files
from harness.stack.postgres import EmbeddedPostgres
from harness.stack.valkey import EmbeddedValkey


def test_postgres_is_version_18_with_contrib(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        available = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
        version = conn.execute("SHOW server_version_num").fetchone()[0]
    assert {"cube", "earthdistance", "btree_gist", "pg_trgm", "pg_stat_statements"} <= available
    assert int(version) >= 180000


def test_migrations_are_idempotent(database_url: str) -> None:
    assert apply_migrations(database_url) == []
    with psycopg.connect(database_url) as conn:
        applied = [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert applied == [name for name, _ in migration_files()]
    assert applied[:2] == ["001_init.sql", "002_indexes.sql"]


def test_valkey_is_configured_as_a_durable_broker(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    assert client.config_get("appendonly")["appendonly"] == "yes"
    assert client.config_get("appendfsync")["appendfsync"] == "everysec"


def test_valkey_restart_keeps_stream_entries(tmp_path: Path) -> None:
    server = EmbeddedValkey(data_dir=tmp_path / "v")
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        client.xadd("s", {"n": "1"})
        client.close()
        server.restart()
        client = redis.Redis.from_url(server.url)
        assert client.xlen("s") == 1
        client.close()
    finally:
        server.stop()


def test_stopped_servers_leave_no_process(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(data_dir=tmp_path / "pg")
    vk = EmbeddedValkey(data_dir=tmp_path / "vk")
    pg.start()
    vk.start()
    pids = [pg.process.pid, vk.process.pid]
    children = psutil.Process(pg.process.pid).children(recursive=True)
    pg.stop()
    vk.stop()
    for pid in pids + [c.pid for c in children]:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
