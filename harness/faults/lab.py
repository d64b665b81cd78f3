"""The fault lab: the servers and platform processes a fault scenario provokes.

A lab holds one PostgreSQL and one Valkey (embedded, from `harness.stack`) and starts the
platform's processes by command (`python -m app api|worker|llm-emulator`), never by import
(DESIGN.md §2). `FaultLab.start(home)` starts its own servers in a temporary home (what
`bwperf selftest` does); `FaultLab.attach(...)` works on servers somebody else started (the test
session's), and leaves them running, restarted if a fault stopped them.

Everything the lab starts stops with `close()`; every server child also dies with this process
(parent-death signal), so nothing outlives a crashed self-test.
"""

from __future__ import annotations

import secrets
import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import psutil
import psycopg
import redis

from harness.platform_client import PlatformClient, origin_and_path
from harness.platform_client import problem_body as titled_problem_body
from harness.results import samples
from harness.samplers.prometheus import scrape
from harness.stack.postgres import EmbeddedPostgres
from harness.stack.processes import (
    ManagedProcess,
    child_env,
    free_port,
    spawn,
    wait_healthy,
)
from harness.stack.running import run_app
from harness.stack.valkey import EmbeddedValkey

GUARDRAIL_STREAM = "guardrail:jobs"
DEAD_STREAM = "guardrail:dead"
START_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 5.0
# Faster than production so a fault run takes seconds: a dead worker's jobs look stalled after 1 s.
WORKER_IDLE_TIMEOUT_S = 1.0


def http_json(method: str, url: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
              timeout_s: float = HTTP_TIMEOUT_S) -> tuple[int, Any]:
    """(status, parsed JSON or text) of one request to a full URL; HTTP errors are answers, not
    exceptions (no answer: harness.platform_client.PlatformError)."""
    origin, path = origin_and_path(url)
    with PlatformClient(origin, connect_timeout_s=timeout_s, read_timeout_s=timeout_s) as client:
        reply = client.request(method, path, json=body, headers=headers)
    return reply.status, reply.body


@dataclass
class PlatformProcess:
    """A started `python -m app ...` process and the port its HTTP side listens on."""

    process: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.is_running()

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called `name` whose labels include `labels` (0 when absent)."""
        return samples.total(scrape(self.url + "/metrics"), name, **labels) or 0.0

    def kill9(self) -> None:
        self.process.popen.kill()
        self.process.popen.wait(timeout=10)

    def signal(self, signum: int) -> None:
        self.process.popen.send_signal(signum)

    def wait(self, timeout_s: float) -> int:
        return self.process.popen.wait(timeout=timeout_s)

    def log(self, lines: int = 40) -> str:
        return self.process.log_tail(lines)


class FaultLab:
    """Servers, secrets and started processes of one self-test or test module."""

    def __init__(self, *, home: Path, postgres: EmbeddedPostgres, valkey: EmbeddedValkey,
                 owns_servers: bool, jwt_secret: str | None = None, api_key_pepper: str | None = None) -> None:
        self.home = home
        self.postgres = postgres
        self.valkey = valkey
        self.owns_servers = owns_servers
        self.jwt_secret = jwt_secret or secrets.token_urlsafe(32)
        self.api_key_pepper = api_key_pepper or secrets.token_urlsafe(32)
        self._processes: list[ManagedProcess] = []
        self._emulator: PlatformProcess | None = None

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def start(cls, home: Path) -> FaultLab:
        """Own PostgreSQL and Valkey in `home`, migrated; `close()` stops them."""
        home = home.resolve()
        postgres = EmbeddedPostgres(data_dir=home / "postgres")
        valkey = EmbeddedValkey(data_dir=home / "valkey")
        lab = cls(home=home, postgres=postgres, valkey=valkey, owns_servers=True)
        try:
            postgres.start()
            valkey.start()
            run_app({"DATABASE_URL": postgres.url}, "migrate")
        except BaseException:
            lab.close()
            raise
        return lab

    @classmethod
    def attach(cls, home: Path, *, postgres: EmbeddedPostgres, valkey: EmbeddedValkey,
               jwt_secret: str | None = None, api_key_pepper: str | None = None) -> FaultLab:
        """Work on running, migrated servers owned by the caller."""
        return cls(home=home.resolve(), postgres=postgres, valkey=valkey, owns_servers=False,
                   jwt_secret=jwt_secret, api_key_pepper=api_key_pepper)

    def close(self) -> None:
        for process in reversed(self._processes):
            process.stop(timeout_s=10)
        self._processes.clear()
        self._emulator = None
        if self.owns_servers:
            self.valkey.stop()
            self.postgres.stop()
        else:  # somebody else's servers: leave them as we found them, running
            self.ensure_servers_running()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- servers -----------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return self.postgres.url

    @property
    def redis_url(self) -> str:
        return self.valkey.url

    def ensure_servers_running(self) -> None:
        self.resume_postgres()
        if self.postgres.process is None or not self.postgres.process.is_running():
            self.postgres.start()
        if self.valkey.process is None or not self.valkey.process.is_running():
            self.valkey.start()

    def postgres_processes(self) -> list[psutil.Process]:
        """The postmaster and every backend and auxiliary process under it."""
        if self.postgres.process is None or not self.postgres.process.is_running():
            return []
        try:
            postmaster = psutil.Process(self.postgres.process.pid)
            return [postmaster, *postmaster.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    @contextmanager
    def frozen_postgres(self) -> Iterator[None]:
        """SIGSTOP every PostgreSQL process (a hung server: connects are accepted by the kernel,
        nothing answers); SIGCONT them on the way out, whatever happens."""
        frozen: list[psutil.Process] = []
        try:
            for process in self.postgres_processes():
                process.send_signal(signal.SIGSTOP)
                frozen.append(process)
            yield
        finally:
            for process in frozen:
                try:
                    process.send_signal(signal.SIGCONT)
                except psutil.NoSuchProcess:
                    pass

    def resume_postgres(self) -> None:
        for process in self.postgres_processes():
            try:
                if process.status() == psutil.STATUS_STOPPED:
                    process.send_signal(signal.SIGCONT)
            except psutil.NoSuchProcess:
                pass

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=2,
                                    decode_responses=True)

    def reset_queue(self) -> None:
        """Drop the guardrail streams (and their group), so a scenario counts only its own jobs.
        Only call this while no worker runs."""
        client = self.redis()
        try:
            client.delete(GUARDRAIL_STREAM, DEAD_STREAM)
        finally:
            client.close()

    # -- platform processes ------------------------------------------------------------------

    def _env(self, extra: Mapping[str, str]) -> dict[str, str]:
        base = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "JWT_SECRET": self.jwt_secret,
            "API_KEY_PEPPER": self.api_key_pepper,
            "EVIDENCE_DIR": str(self.home / "evidence"),
            "BW_ENV": "lab",
            "LOG_LEVEL": "info",
        }
        env = child_env({**base, **extra})
        for name in ("JWT_SECRET_PREVIOUS", "ANTHROPIC_AUTH_TOKEN"):
            if name not in extra:
                env.pop(name, None)
        return env

    def _spawn(self, name: str, args: list[str], env: Mapping[str, str], port: int) -> PlatformProcess:
        log_path = self.home / "logs" / f"{name}-{port}.log"
        managed = spawn(name, [sys.executable, "-m", "app", *args], log_path=log_path, env=self._env(env))
        self._processes.append(managed)
        started = PlatformProcess(managed, port)
        wait_healthy(started.url, process=managed, timeout_s=START_TIMEOUT_S)
        return started

    def api(self, *, rate_limit_profile: str = "loadtest", **env: str) -> PlatformProcess:
        """`python -m app api` on a free port; extra keyword arguments are environment variables."""
        port = free_port()
        return self._spawn("api", ["api"], {"API_PORT": str(port), "RATE_LIMIT_PROFILE": rate_limit_profile,
                                            **env}, port)

    def emulator(self, *, latency_ms: float = 20.0) -> PlatformProcess:
        """The LLM emulator (one per lab), with a fixed latency and no faults."""
        if self._emulator is None or not self._emulator.is_running():
            port = free_port()
            self._emulator = self._spawn("llm-emulator", ["llm-emulator", "--port", str(port), "--latency", "fixed",
                                                          "--latency-median-ms", str(latency_ms)], {}, port)
            reused = False
        else:
            reused = True
        with PlatformClient(self._emulator.url, read_timeout_s=HTTP_TIMEOUT_S) as client:
            if reused:
                client.emulator_reset_faults().expect(200)
            client.emulator_set_latency(distribution="fixed", median_ms=latency_ms).expect(200)
        return self._emulator

    def worker(self, *, concurrency: int = 5, **env: str) -> PlatformProcess:
        """A guardrail worker on the lab's emulator, reclaiming after WORKER_IDLE_TIMEOUT_S."""
        emulator = self._emulator or self.emulator()
        port = free_port()
        settings = {
            "ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": "lab-emulator-key",
            "WORKER_METRICS_PORT": str(port), "WORKER_CONCURRENCY": str(concurrency),
            "GUARDRAIL_IDLE_TIMEOUT_S": str(WORKER_IDLE_TIMEOUT_S), "GUARDRAIL_READ_BLOCK_MS": "200",
            "GUARDRAIL_LLM_TIMEOUT_S": "5", "WORKER_DRAIN_TIMEOUT_S": "10", **env,
        }
        return self._spawn("worker", ["worker"], settings, port)

    def stop(self, process: PlatformProcess) -> None:
        process.process.stop(timeout_s=15)

    def log_files(self) -> list[Path]:
        return sorted((self.home / "logs").glob("*.log"))


def register_agent(api_url: str, username: str) -> str:
    """A new agent's API key (registration is a credentials route: no key needed); a status other
    than 201 raises harness.platform_client.PlatformStatusError."""
    with PlatformClient(api_url, read_timeout_s=HTTP_TIMEOUT_S) as client:
        return str(client.register_agent(username).expect(201).json_object()["apiKey"])


def problem_body(index: int, tag: str) -> dict[str, Any]:
    """A problem no other index shares (titles differ in words, so the verdict cache never hits),
    its title ending in `(tag)` so a scenario finds its own rows."""
    words = ("amber", "birch", "cedar", "delta", "ember", "fjord", "glade", "heath", "inlet", "juniper",
             "kestrel", "lagoon", "meadow", "nectar", "orchid", "prairie", "quarry", "ridge", "savanna", "tundra")
    a, b, c = words[index % 20], words[(index // 20) % 20], words[(index // 400) % 20]
    return titled_problem_body(f"Blocked drainage near {a} {b} {c} lane ({tag})")


__all__ = ["FaultLab", "PlatformProcess", "http_json", "problem_body", "register_agent"]
