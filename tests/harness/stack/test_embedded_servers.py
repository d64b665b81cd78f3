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


def test_a_migration_the_stored_data_breaks_fails_in_one_line_and_applies_nothing(pg: EmbeddedPostgres, database_url: str) -> None:
    """005 makes usernames unique regardless of case; a database holding "Bob" and "bob" (legal
    before it) gets a one-line error naming the migration, exit 2, and no half-applied change."""
    import subprocess
    import sys

    scratch = "migrate_case_check"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch}")
        conn.execute(f"CREATE DATABASE {scratch}")
    url = database_url.rsplit("/", 1)[0] + f"/{scratch}"
    apply_migrations(url)
    with psycopg.connect(url, autocommit=True) as conn:  # back to the schema before 005
        conn.execute("DROP INDEX agents_username_lower_key")
        conn.execute("ALTER TABLE agents ADD CONSTRAINT agents_username_key UNIQUE (username)")
        conn.execute("DELETE FROM schema_migrations WHERE name = '005_agent_username_case.sql'")
        for name, key in (("Bob", b"k1"), ("bob", b"k2")):
            conn.execute("INSERT INTO agents (username, framework, model_provider, model_name, api_key_prefix,"
                         " api_key_hash) VALUES (%s, 'f', 'p', 'm', 'bw_', %s)", (name, key))
    done = subprocess.run([sys.executable, "-m", "app", "migrate"], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "DATABASE_URL": url})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "005_agent_username_case.sql" in lines[0] and "Traceback" not in done.stderr
    with psycopg.connect(url) as conn:
        constraints = {r[0] for r in conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'agents'::regclass")}
        applied = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    assert "agents_username_key" in constraints and "005_agent_username_case.sql" not in applied


def test_postgres_starts_under_a_directory_too_deep_for_its_socket(tmp_path: Path) -> None:
    """A Unix socket path has 107 bytes at most (pytest-xdist's tmp dirs, deep checkouts pass it)."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    server = EmbeddedPostgres(data_dir=deep / "postgres")
    try:
        server.start()
        assert server.socket_dir is not None and not server.socket_dir.is_relative_to(deep)
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.destroy()
    assert not server.socket_dir.exists()
