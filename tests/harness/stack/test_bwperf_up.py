"""`bwperf up` starts the whole stack, publishes its URLs, and leaves nothing behind when
stopped by SIGTERM, or even when it is killed with -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.platform_client import PlatformClient
from harness.stack.processes import free_port

BWPERF = [sys.executable, "-m", "bwperf"]


def _start_up(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.Popen([*BWPERF, "up", "--port", str(port), "--home", str(home)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for_state(home: Path, process: subprocess.Popen[bytes], timeout_s: float = 90) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bwperf up exited early:\n{process.stdout.read().decode(errors='replace')}")
        try:
            return json.loads((home / "stack.json").read_text())
        except (OSError, ValueError):
            time.sleep(0.2)
    process.kill()
    pytest.fail("bwperf up did not publish stack.json in time")


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _assert_all_gone(processes: list[psutil.Process], timeout_s: float = 20) -> None:
    gone, alive = psutil.wait_procs(processes, timeout=timeout_s)
    assert not alive, f"left behind: {[(p.pid, p.name()) for p in alive]}"


@pytest.mark.slow
def test_sigterm_stops_everything_it_started(tmp_path: Path) -> None:
    port = free_port()
    process = _start_up(tmp_path, port)
    state = _wait_for_state(tmp_path, process)
    assert state["api_url"] == f"http://127.0.0.1:{port}"
    with PlatformClient(state["api_url"], read_timeout_s=5) as client:
        assert client.ready().status == 200
    children = _descendants(process.pid)
    names = {p.name() for p in children}
    assert "postgres" in names and any("valkey" in n for n in names), names
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    _assert_all_gone(children)
    assert not (tmp_path / "stack.json").exists()


@pytest.mark.slow
def test_kill_9_of_bwperf_still_stops_its_servers(tmp_path: Path) -> None:
    process = _start_up(tmp_path, free_port())
    _wait_for_state(tmp_path, process)
    children = _descendants(process.pid)
    process.kill()
    process.wait(timeout=10)
    _assert_all_gone(children)


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*BWPERF, "up", "--port", str(port), "--home", str(tmp_path)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "already in use" in result.stderr
