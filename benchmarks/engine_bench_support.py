"""Shared parts of the engine benchmarks: a server to count at, plans, and running `bwperf run`.

A server is one of: `--target URL` (anything on 127.0.0.1 whose /metrics exposes
`http_requests_total` or `http_request_duration_seconds_count`), `--embedded` (the platform's
embedded stack, `harness.stack.start_stack`), or by default the counting aiohttp server in
`engine_count_server.py`, started here and pinned to the last CPU.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.results import RunResult, load_result  # noqa: E402
from harness.samplers.prometheus import request_count, scrape  # noqa: E402
from engine_count_server import fast_loop_name  # noqa: E402

BEHAVIOURS = '''
def get_health(vu):
    vu.client.get("/health", name="/health")
'''


@dataclass
class Server:
    url: str
    kind: str
    pid: int | None = None

    def count(self, path: str = "/health") -> float:
        values = scrape(self.url + "/metrics")
        found = request_count(values, path=path)
        if found is None:
            raise SystemExit(f"{self.url}/metrics exposes neither http_requests_total nor a request-duration _count")
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server_for(*, target: str | None, embedded: bool, server_cpu: int | None, fast: bool = False) -> Iterator[Server]:
    if target:
        yield Server(target.rstrip("/"), f"target {target}")
        return
    if embedded:
        from harness.stack import start_stack

        with start_stack(api_port=None, rate_limit_profile="loadtest") as stack:
            yield Server(stack.api_url, "embedded stack (python -m app api)")
        return
    port = free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "engine_count_server.py"), "--port", str(port)]
    if server_cpu is not None:
        command += ["--cpu", str(server_cpu)]
    if fast:
        command.append("--fast")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the counting server did not start") from None
                time.sleep(0.1)
        kind = f"bare {fast_loop_name()} counting server" if fast else "interim aiohttp counting server"
        yield Server(url, f"{kind} (benchmarks/engine_count_server.py)", process.pid)
    finally:
        process.terminate()
        process.wait(10)


def write_plan(directory: Path, scenario: dict, *, name: str = "bench") -> Path:
    (directory / f"{name}.py").write_text(BEHAVIOURS)
    plan = {"behaviours": f"{name}.py", "scenarios": {"bench": {**scenario, "exec": "get_health"}}}
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(plan))
    return path


def run_bwperf(plan: Path, *, target: str, out: Path, cpu: int | None, extra: list[str] | None = None) -> RunResult:
    command = [sys.executable, "-m", "bwperf", "run", str(plan), "--target", target, "--out", str(out), "--quiet",
               *(extra or [])]
    preexec = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, preexec_fn=preexec,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode not in (0, 99):
        raise SystemExit(f"bwperf run failed ({done.returncode}):\n{done.stderr}")
    results = sorted(out.glob("*/result.json"), key=lambda p: p.stat().st_mtime)
    return load_result(results[-1])


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="bwperf-bench-"))


def cpus() -> tuple[int | None, int | None]:
    """(generator CPU, server CPU): the first and last CPU when there are at least two."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[0], available[-1]
