"""`bwperf up` supervises what it started: kill -9 of any child (PostgreSQL and Valkey included)
is followed by a restart on the same port while the others keep serving, and the platform's
clients reconnect by themselves; a child that keeps dying makes the supervisor give up loudly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import psutil
import psycopg
import pytest
import redis

from harness.stack import CrashLoop, RestartPolicy, Supervised, Supervisor, start_stack
from harness.stack.processes import free_port, spawn
from tests.app.worker.conftest import distinct_problem, insert_problem

CHILDREN = ("worker", "api", "llm-emulator", "valkey", "postgres")


@dataclass
class Up:
    popen: subprocess.Popen[bytes]
    home: Path
    state: dict
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def child(self, name: str) -> psutil.Process | None:
        """The live direct child of `bwperf up` that is `name` (never any other process)."""
        for process in psutil.Process(self.popen.pid).children():
            try:
                if process.status() == psutil.STATUS_ZOMBIE:
                    continue
                cmdline = process.cmdline()
            except psutil.NoSuchProcess:
                continue
            if name == "postgres" and process.name() == "postgres":
                return process
            if name == "valkey" and "valkey" in process.name():
                return process
            if cmdline[-3:] == ["-m", "app", name]:
                return process
        return None

    def probe(self, name: str) -> bool:
        """Does `name` serve right now (one short attempt)?"""
        try:
            if name == "postgres":
                with psycopg.connect(self.state["database_url"], connect_timeout=1) as conn:
                    return conn.execute("SELECT 1").fetchone() == (1,)
            if name == "valkey":
                client = redis.Redis.from_url(self.state["redis_url"], socket_timeout=1, socket_connect_timeout=1)
                try:
                    return bool(client.ping())
                finally:
                    client.close()
            base = {"api": self.state["api_url"], "worker": self.state["metrics_urls"][1].removesuffix("/metrics"),
                    "llm-emulator": self.state["llm_base_url"]}[name]
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError, psycopg.Error, redis.RedisError):
            return False

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.state["api_url"] + "/ready", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False


def _poll(predicate: Callable[[], bool], *, timeout_s: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout_s:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    home = tmp_path_factory.mktemp("supervised")
    output = home / "up.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    with open(output, "wb") as sink:
        popen = subprocess.Popen([sys.executable, "-m", "bwperf", "up", "--port", str(free_port()), "--home",
                                  str(home), "--profile", "loadtest"], env=env, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while not (home / "stack.json").exists():
        if popen.poll() is not None or time.monotonic() > deadline:
            popen.kill()
            pytest.fail(f"bwperf up did not start:\n{output.read_text(errors='replace')}")
        time.sleep(0.2)
    started = Up(popen, home, json.loads((home / "stack.json").read_text()), output)
    yield started
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        assert popen.wait(timeout=60) == 0, started.log()


def _a_job_gets_its_verdict(up: Up, index: int) -> None:
    """End to end through the restarted servers: a problem in PostgreSQL, its job in Valkey, the
    worker's verdict back in PostgreSQL."""
    title, description = distinct_problem(index)
    with psycopg.connect(up.state["database_url"], autocommit=True) as conn:
        problem_id = insert_problem(conn, title=title, description=description)
        client = redis.Redis.from_url(up.state["redis_url"])
        client.xadd("guardrail:jobs", {"job_id": f"supervision-{index}", "problem_id": str(problem_id),
                                       "enqueued_at_ms": str(int(time.time() * 1000))})
        client.close()

        def evaluated() -> bool:
            return conn.execute("SELECT count(*) FROM guardrail_evaluations WHERE problem_id = %s",
                                (problem_id,)).fetchone() == (1,)
        _poll(evaluated, timeout_s=15, what=f"the verdict of problem {problem_id}")


@pytest.mark.parametrize("name", CHILDREN)
def test_a_killed_child_comes_back_while_the_others_keep_serving(up: Up, name: str) -> None:
    others = [other for other in CHILDREN if other != name]
    victim = up.child(name)
    assert victim is not None, f"no {name} under bwperf up"
    victim.kill()
    killed_at = time.monotonic()
    outages: set[str] = set()
    while True:
        outages |= {other for other in others if not up.probe(other)}
        replacement = up.child(name)
        if replacement is not None and replacement.pid != victim.pid and up.probe(name):
            break
        # DESIGN.md's target is < 10 s; the bound here leaves room for a loaded 2-core machine.
        assert time.monotonic() - killed_at < 30, f"{name} not back within 30 s:\n{up.log()}"
        time.sleep(0.05)
    downtime_s = time.monotonic() - killed_at
    print(f"\n{name}: serving again {downtime_s:.2f} s after kill -9")
    assert not outages, f"{sorted(outages)} stopped serving while {name} was down"
    _poll(lambda: f"{name} killed by SIGKILL: restart 1, back after" in up.log(), timeout_s=5,
          what=f"the supervisor's line about {name}")
    _poll(up.ready, timeout_s=10, what="the API's /ready (its pools reconnected)")
    _a_job_gets_its_verdict(up, CHILDREN.index(name))
    assert up.popen.poll() is None


def test_sigterm_during_a_restart_still_stops_everything(up: Up) -> None:
    """Last of the module's `bwperf up` tests: it ends the stack."""
    children = psutil.Process(up.popen.pid).children(recursive=True)
    victim = up.child("worker")
    assert victim is not None
    victim.kill()
    time.sleep(0.7)     # past the 0.5 s backoff: the new worker is starting
    up.popen.send_signal(signal.SIGTERM)
    assert up.popen.wait(timeout=60) == 0, up.log()
    assert "failed" not in up.log().split("stopping...")[-1], "the signal is not taken for a failed restart"
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, f"left behind: {[(p.pid, p.name()) for p in alive]}"


def test_a_crash_loop_gives_up_with_the_reason(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"]
    current = [spawn("flaky", argv, log_path=tmp_path / "flaky.log")]
    child = Supervised("flaky", lambda: current[-1], lambda: current.append(spawn("flaky", argv,
                                                                                log_path=tmp_path / "flaky.log")))
    lines: list[str] = []
    supervisor = Supervisor([child], policy=RestartPolicy(initial_backoff_s=0.05, max_restarts=3, poll_s=0.02),
                            log=lines.append)
    started = time.monotonic()
    with pytest.raises(CrashLoop) as raised:
        supervisor.run()
    message = str(raised.value)
    assert message.splitlines()[0] == "flaky died 4 times within 60 s (last: exit code 3); giving up; last lines " \
                                      f"of {tmp_path / 'flaky.log'}:"
    assert "bad config" in message
    assert [r.number for r in supervisor.history] == [1, 2, 3]
    assert lines[0].startswith("flaky exit code 3: restart 1, back after")
    # Backoff doubles: 0.05 + 0.1 + 0.2 s of waiting at least.
    assert time.monotonic() - started >= 0.35


def test_a_service_that_cannot_come_back_stops_the_stack(tmp_path: Path) -> None:
    """The LLM emulator's port is taken while it is down: every restart fails, the supervisor
    gives up, and stopping the stack leaves nothing behind."""
    saved = {k: os.environ.pop(k) for k in ("DATABASE_URL", "REDIS_URL") if k in os.environ}
    try:
        stack = start_stack(home=tmp_path, api_port=None, services=["llm-emulator"])
    finally:
        os.environ.update(saved)
    with stack:
        pids = stack.pids()
        supervisor = Supervisor.for_stack(stack, policy=RestartPolicy(initial_backoff_s=0.05, max_restarts=2),
                                          log=lambda line: None)
        assert [c.name for c in supervisor.children] == ["postgres", "valkey", "llm-emulator"]
        port = int(stack.llm_base_url.rsplit(":", 1)[1])
        stack.processes["llm-emulator"].popen.kill()
        stack.processes["llm-emulator"].popen.wait(timeout=10)
        with socket.socket() as thief:
            thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            thief.bind(("127.0.0.1", port))
            thief.listen()
            with pytest.raises(CrashLoop, match=r"^llm-emulator died 3 times within 60 s \(last: restart failed: "):
                supervisor.run()
    gone, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)], timeout=20)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
