"""Shared helpers for the operations files' tests: the repository's files, the project's real
entry points, and real platform processes started against the session's embedded servers.

Entry points that other engineers have not registered yet are listed in PENDING_* below. A check
that depends on one is marked `xfail(strict=True)` with the reason: the day the command or
variable exists, the check passes, strict xfail turns that into a failure, and the entry must be
removed here (so the check guards the contract from then on).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from harness.stack.processes import ManagedProcess, free_port, spawn, wait_until

REPO = Path(__file__).resolve().parents[2]

PENDING_BWPERF_COMMANDS: dict[str, str] = {}

# Variables docker-compose.yml sets that the code does not read yet. Without them the
# services listen on 127.0.0.1 only, which is unreachable from another container.
PENDING_ENV_NAMES: dict[str, str] = {}

# Variables the weekly workflow hands to `bwperf run` that the harness does not read yet.
PENDING_HARNESS_ENV_NAMES: dict[str, str] = {}


_VALUE = object()


# Names of variables that hold credentials (not e.g. GUARDRAIL_LLM_MAX_TOKENS).
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PEPPER|API_KEY|(?:^|_)TOKEN$")


def compose_interpolated_names() -> set[str]:
    """Every `${NAME...}` in docker-compose.yml's values (comments excluded)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            names.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", node))

    walk(compose())
    return names


def pending(value: Any, table: dict[str, str], *, key: Any = _VALUE, id: str | None = None) -> Any:
    """`value` as a pytest param, strict-xfail when `key` (default: the value) is in `table`."""
    lookup = value if key is _VALUE else key
    marks = [pytest.mark.xfail(strict=True, reason=table[lookup])] if lookup in table else []
    return pytest.param(value, marks=marks, id=id or str(value))


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((REPO / relative).read_text())


def compose() -> dict[str, Any]:
    return load_yaml("docker-compose.yml")


_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` with `env` (missing
    required names become `placeholder`), as `docker compose config` would resolve them."""
    env = env or {}

    def resolve(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        return arg if op in {"-", ":-"} else "placeholder"

    return _INTERPOLATION.sub(resolve, value)


def python_services() -> dict[str, dict[str, Any]]:
    """Services built from this repository's Dockerfile."""
    return {name: spec for name, spec in compose()["services"].items() if "build" in spec}


# ── the project's entry points ─────────────────────────────────────────────────────────────

def app_commands() -> set[str]:
    from app.__main__ import COMMANDS

    return set(COMMANDS)


_BWPERF_COMMANDS_SCRIPT = """
import json, typer.main
from bwperf.cli import main_app
group = typer.main.get_command(main_app)
def options(cmd):
    return sorted(opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts) if opt.startswith('-'))
found = {}
for name, cmd in group.commands.items():
    found[name] = options(cmd)
    for sub, subcmd in getattr(cmd, 'commands', {}).items():  # groups: `baseline history`
        found[f"{name} {sub}"] = options(subcmd)
print(json.dumps(found))
"""


@pytest.fixture(scope="session")
def bwperf_commands() -> dict[str, list[str]]:
    """Registered `bwperf` commands and their options, from `bwperf.cli.main_app`.

    Read in a child process: the CLI imports the load engine (Locust, gevent), which must not
    patch this test process."""
    result = subprocess.run([sys.executable, "-c", _BWPERF_COMMANDS_SCRIPT], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"importing bwperf.cli.main_app failed:\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_bwperf_call(commands: dict[str, list[str]], argv: list[str], *, where: str) -> None:
    """`argv` (after `bwperf`) names a registered command (or a group's sub-command) and only
    options it defines."""
    name = argv[0]
    if len(argv) > 1 and f"{name} {argv[1]}" in commands:
        name, argv = f"{name} {argv[1]}", [f"{name} {argv[1]}", *argv[2:]]
    assert name in commands, (
        f"{where}: `bwperf {name}` is not a registered command of bwperf.cli.main_app "
        f"(registered: {', '.join(sorted(commands))})")
    flags = {arg.split("=", 1)[0] for arg in argv[1:] if arg.startswith("--")}
    unknown = sorted(flags - set(commands[name]))
    assert not unknown, (f"{where}: `bwperf {name}` has no option(s) {', '.join(unknown)} "
                         f"(it has: {', '.join(commands[name]) or 'none'})")


def read_env_names() -> set[str]:
    """Every environment variable the platform's settings loaders read, recorded as they read.

    Settings.from_env (API and everything), WorkerSettings.from_env and the emulator's
    parse_config all take the environment as a mapping, so a recording mapping lists exactly
    the names they look up (including the per-class RATE_LIMIT_* overrides)."""
    from app.config import Settings
    from app.llm_emulator.main import parse_config
    from app.worker.settings import WorkerSettings

    class Recording(dict):
        def __init__(self) -> None:
            super().__init__()
            self.names: set[str] = set()

        def get(self, key: Any, default: Any = None) -> Any:
            self.names.add(key)
            return super().get(key, default)

        def __getitem__(self, key: Any) -> Any:
            self.names.add(key)
            return super().__getitem__(key)

        def __contains__(self, key: Any) -> bool:
            self.names.add(key)
            return super().__contains__(key)

    names: set[str] = set()
    for load in (Settings.from_env, WorkerSettings.from_env, lambda env: parse_config([], env)):
        env = Recording()
        load(env)
        names |= env.names
    return names


# ── real platform processes against the session's embedded PostgreSQL and Valkey ───────────

@dataclass
class Service:
    process: ManagedProcess
    base_url: str

    def get(self, path: str, *, timeout_s: float = 5.0) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - 127.0.0.1
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _module_exists(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _start(name: str, module: str, env: dict[str, str], port: int, logs: Path) -> Iterator[Service]:
    assert _module_exists(module), f"{module} is missing: `python -m app {name}` cannot be started"
    process = spawn(name, [sys.executable, "-m", "app", name], log_path=logs / f"{name}.log",
                    env={**os.environ, **env}, cwd=REPO)
    service = Service(process, f"http://127.0.0.1:{port}")
    try:
        wait_until(lambda: service.get("/health", timeout_s=1)[0] == 200, process=process,
                   timeout_s=60, what="answering /health with 200")
        yield service
    finally:
        process.stop(timeout_s=20)


@pytest.fixture(scope="session")
def platform_env(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Redis database 15: the worker started here consumes `guardrail:jobs`, and must never take
    # jobs that other tests of the session enqueue in database 0.
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/15",
        "JWT_SECRET": "test-jwt-secret-for-ops-tests-0123456789",
        "API_KEY_PEPPER": "test-pepper-for-ops-tests",
        "EVIDENCE_DIR": str(tmp_path_factory.mktemp("ops-evidence")),
    }


@pytest.fixture(scope="session")
def ops_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ops-logs")


@pytest.fixture(scope="session")
def running_api(platform_env: dict[str, str], ops_logs: Path) -> Iterator[Service]:
    port = free_port()
    yield from _start("api", "app.server", {**platform_env, "API_HOST": "127.0.0.1", "API_PORT": str(port)},
                      port, ops_logs)


@pytest.fixture(scope="session")
def running_emulator(ops_logs: Path) -> Iterator[Service]:
    port = free_port()
    yield from _start("llm-emulator", "app.llm_emulator.main", {"LLM_EMULATOR_PORT": str(port)}, port, ops_logs)


@pytest.fixture(scope="session")
def running_worker(platform_env: dict[str, str], running_emulator: Service, ops_logs: Path) -> Iterator[Service]:
    port = free_port()
    env = {**platform_env, "WORKER_METRICS_PORT": str(port), "ANTHROPIC_BASE_URL": running_emulator.base_url,
           "ANTHROPIC_API_KEY": "emulator-key"}
    yield from _start("worker", "app.worker.main", env, port, ops_logs)


def exported_metric_names(exposition: str) -> set[str]:
    """Names a Prometheus query can use against this exposition: every declared family (from
    `# TYPE`, so a labelled metric with no sample yet still counts), its histogram/summary
    series, and every sample name."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            names.add(name)
            if kind in {"histogram", "summary"}:
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
        elif line and not line.startswith("#"):
            names.add(line.split("{", 1)[0].split(" ", 1)[0])
    return names
