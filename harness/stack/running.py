"""Start, describe and stop a whole stack."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import redis

from .postgres import EmbeddedPostgres
from .processes import ManagedProcess, StackError, child_env, free_port, port_is_open, spawn, wait_healthy
from .valkey import EmbeddedValkey

DEFAULT_HOME = Path(".bwperf")
ALL_SERVICES = ("llm-emulator", "worker", "api")


@dataclass(frozen=True)
class StackState:
    """What a running stack publishes in `<home>/stack.json` for other commands (seed, run)."""

    pid: int
    api_url: str
    database_url: str
    redis_url: str
    metrics_urls: list[str] = field(default_factory=list)
    llm_base_url: str | None = None


def read_state(home: Path = DEFAULT_HOME) -> StackState | None:
    """The state of a `bwperf up` still running from `home`, or None."""
    path = home / "stack.json"
    try:
        state = StackState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    try:
        os.kill(state.pid, 0)
    except OSError:
        return None
    return state


def _secrets(home: Path) -> dict[str, str]:
    """Per-home secrets, generated once and kept (mode 600) so keys stay valid across restarts."""
    path = home / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"JWT_SECRET": secrets.token_urlsafe(32), "API_KEY_PEPPER": secrets.token_urlsafe(32)}
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


class RunningStack:
    """A started stack. Use as a context manager, or call `stop()`."""

    def __init__(self, *, home: Path, env: dict[str, str], api_url: str) -> None:
        self.home = home
        self.env = env
        self.api_url = api_url
        self.postgres: EmbeddedPostgres | None = None
        self.valkey: EmbeddedValkey | None = None
        self.processes: dict[str, ManagedProcess] = {}
        self.metrics_urls: list[str] = [f"{api_url}/metrics"]
        self.llm_base_url: str | None = None
        self.dropped_stale_keys = 0
        self._service_specs: dict[str, tuple[dict[str, str], str | None]] = {}
        self._exit = ExitStack()

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def redis_url(self) -> str:
        return self.env["REDIS_URL"]

    def state(self) -> StackState:
        return StackState(pid=os.getpid(), api_url=self.api_url, database_url=self.database_url,
                          redis_url=self.redis_url, metrics_urls=list(self.metrics_urls),
                          llm_base_url=self.llm_base_url)

    def pids(self) -> list[int]:
        """The stack's server and service processes (their children, e.g. PostgreSQL backends,
        hang below them)."""
        servers = [server.process for server in (self.postgres, self.valkey) if server is not None]
        return [process.pid for process in [*servers, *self.processes.values()] if process is not None]

    def publish(self) -> Path:
        path = self.home / "stack.json"
        path.write_text(json.dumps(asdict(self.state()), indent=2))
        self._exit.callback(lambda: path.unlink(missing_ok=True))
        return path

    def start_service(self, name: str, *, env: Mapping[str, str], base_url: str | None) -> ManagedProcess:
        """Start `python -m app NAME`; with a `base_url`, wait until its /health answers 200."""
        self._service_specs[name] = (dict(env), base_url)
        # Looked up at stop time: the supervisor may have replaced the process since.
        self._exit.callback(lambda: self.processes[name].stop() if name in self.processes else None)
        return self.restart_service(name)

    def restart_service(self, name: str) -> ManagedProcess:
        """Start service `name` again with the same environment and ports (its log is appended)."""
        env, base_url = self._service_specs[name]
        process = spawn(name, [sys.executable, "-m", "app", name],
                        log_path=self.home / "logs" / f"{name}.log", env=child_env(env))
        self.processes[name] = process
        if base_url:
            wait_healthy(base_url, process=process, timeout_s=30)
        return process

    def health_url(self, name: str) -> str | None:
        """The URL whose /health says service `name` is ready, if it has one."""
        spec = self._service_specs.get(name)
        return spec[1] if spec else None

    def stop(self) -> None:
        self._exit.close()

    def __enter__(self) -> "RunningStack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_stack(
    *,
    home: Path = DEFAULT_HOME,
    api_port: int | None = 4000,
    rate_limit_profile: str = "default",
    services: Iterable[str] = ALL_SERVICES,
    seed_problems: int = 0,
    seed_missions: int = 0,
    extra_env: Mapping[str, str] | None = None,
    fresh_queue: bool = False,
) -> RunningStack:
    """Start the stack in `home`; on any failure, stop what was started and raise StackError.

    `fresh_queue` empties the *embedded* broker before the platform starts: a load run measures
    its own jobs, not a backlog an earlier run left in the same home (a server named by REDIS_URL
    is never touched)."""
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    api_port = api_port if api_port is not None else free_port()
    if port_is_open("127.0.0.1", api_port):
        raise StackError(f"port {api_port} on 127.0.0.1 is already in use; choose another with --port")
    env = {**_secrets(home), "RATE_LIMIT_PROFILE": rate_limit_profile,
           "EVIDENCE_DIR": str(home / "evidence"), **(extra_env or {})}
    stack = RunningStack(home=home, env=env, api_url=f"http://127.0.0.1:{api_port}")
    try:
        _start_data_services(stack, promised={api_port})
        if fresh_queue and stack.valkey is not None:
            stack.dropped_stale_keys = _empty_broker(stack.redis_url)
        _migrate(stack.env)
        if seed_problems or seed_missions:
            seed_database(stack.env, problems=seed_problems, missions=seed_missions)
        _start_platform(stack, services=list(services), api_port=api_port)
    except BaseException:
        stack.stop()
        raise
    return stack


def _start_data_services(stack: RunningStack, *, promised: set[int]) -> None:
    """PostgreSQL and Valkey, on ports none of `promised` (the API's, bound only later)."""
    if os.environ.get("DATABASE_URL"):
        stack.env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        stack.postgres = EmbeddedPostgres(data_dir=stack.home / "postgres", port=free_port(avoid=promised))
        promised.add(stack.postgres.port)
        stack._exit.callback(stack.postgres.stop)
        stack.env["DATABASE_URL"] = stack.postgres.start()
    if os.environ.get("REDIS_URL"):
        stack.env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        stack.valkey = EmbeddedValkey(data_dir=stack.home / "valkey", port=free_port(avoid=promised))
        stack._exit.callback(stack.valkey.stop)
        stack.env["REDIS_URL"] = stack.valkey.start()


def _empty_broker(redis_url: str) -> int:
    """FLUSHDB the embedded broker; returns how many keys (queued jobs, cache, limits) it held."""
    client = redis.Redis.from_url(redis_url)
    try:
        count = int(client.dbsize())
        client.flushdb()
        return count
    finally:
        client.close()


def run_app(env: Mapping[str, str], *args: str, stream: bool = False) -> str:
    """Run a one-shot platform command (`python -m app ARGS`); `stream` shows its output live."""
    result = subprocess.run([sys.executable, "-m", "app", *args], env=child_env(env),
                            capture_output=not stream, text=True)
    if result.returncode != 0:
        detail = (result.stderr or "").strip() or "see the output above"
        raise StackError(f"`python -m app {' '.join(args)}` failed (exit {result.returncode}): {detail}")
    return result.stdout or ""


def _migrate(env: Mapping[str, str]) -> None:
    run_app(env, "migrate")


def seed_database(env: Mapping[str, str], *, problems: int, missions: int) -> str:
    return run_app(env, "seed", "--problems", str(problems), "--missions", str(missions), stream=True)


def _start_platform(stack: RunningStack, *, services: list[str], api_port: int) -> None:
    unknown = set(services) - set(ALL_SERVICES)
    if unknown:
        raise StackError(f"unknown service(s) {sorted(unknown)}; known: {', '.join(ALL_SERVICES)}")
    # Start the emulator unless ANTHROPIC_BASE_URL names an endpoint (used as is) or
    # ANTHROPIC_API_KEY is set without a base URL (the real API).
    llm_env = {**os.environ, **stack.env}
    if "llm-emulator" in services and not (llm_env.get("ANTHROPIC_BASE_URL") or llm_env.get("ANTHROPIC_API_KEY")):
        port = free_port(avoid={api_port})
        stack.start_service("llm-emulator", env={**stack.env, "LLM_EMULATOR_PORT": str(port)},
                            base_url=f"http://127.0.0.1:{port}")
        stack.llm_base_url = f"http://127.0.0.1:{port}"
        stack.env.setdefault("ANTHROPIC_BASE_URL", stack.llm_base_url)
        stack.env.setdefault("ANTHROPIC_API_KEY", "emulator-key")
    if "worker" in services:
        port = free_port(avoid={api_port})
        stack.start_service("worker", env={**stack.env, "WORKER_METRICS_PORT": str(port)},
                            base_url=f"http://127.0.0.1:{port}")
        stack.metrics_urls.append(f"http://127.0.0.1:{port}/metrics")
    if "api" in services:
        stack.start_service("api", env={**stack.env, "API_PORT": str(api_port)},
                            base_url=stack.api_url)
