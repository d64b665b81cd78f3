"""`bwperf dashboard`: a real process that answers on 127.0.0.1 by default and binds nothing else."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(pid: int, port: int) -> list[str]:
    """The addresses the process listens on at `port`."""
    process = psutil.Process(pid)
    return [c.laddr.ip for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.laddr.port == port]


def test_bwperf_dashboard_serves_on_localhost_only_by_default(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bwperf", "dashboard", "--port", str(port),
         "--results", str(tmp_path / "reports"), "--baselines", str(tmp_path / "baselines")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status = response.status
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, f"no answer; exit code {process.poll()}"
        assert "BetterWorld performance lab" in body
        assert _listening(process.pid, port) == ["127.0.0.1"]
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert f"dashboard: http://127.0.0.1:{port}/" in output


def test_bwperf_dashboard_help_lists_its_options() -> None:
    result = subprocess.run([sys.executable, "-m", "bwperf", "dashboard", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"}, check=False)
    assert result.returncode == 0, result.stderr
    for option in ("--results", "--baselines", "--port", "--host", "--poll-interval"):
        assert option in result.stdout
    assert "127.0.0.1" in result.stdout
