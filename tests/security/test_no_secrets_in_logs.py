"""No secret in the logs of a whole baseline run, nor in its result and report files.

`bwperf run scenarios/baseline.yaml --profile smoke` against the embedded stack it starts itself
(PostgreSQL, Valkey, LLM emulator, worker, API; their logs land in `.bwperf/logs/` of the working
folder). The stack's JWT_SECRET and API_KEY_PEPPER are set beforehand (`.bwperf/secrets.json`),
so the test knows them. While the run's 200 agents register and the four scenarios run, the test
adds a human account and sends its password, access and refresh tokens and an agent key the
ways a careless client would (headers, User-Agent, path). Afterwards every log, the result, the
k6 summary export, the report and the command's own output are searched for each of those values,
and for anything shaped like an API key or a JWT (keys issued to the run's agents included).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLDS_FAILED
from harness.results import load_result

from .client import bearer, call, new_agent, new_user

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "scenarios" / "baseline.yaml"
JWT_SECRET = "baseline-run-jwt-secret-4f1c2a9e7b3d5c6a8e0f1a2b"  # secret-scan: allow (a test fake)
API_KEY_PEPPER = "baseline-run-pepper-9d8c7b6a5f4e3d2c1b0a"  # secret-scan: allow (a test fake)
PASSWORD = "correct horse battery staple 1729"
API_KEY_SHAPE = re.compile(r"bw_[a-z]+_[A-Za-z0-9_-]{20,}")
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")


def _api_url(bwperf: psutil.Process) -> str | None:
    """The embedded API's URL, read from the environment of its process (started by the run)."""
    for child in bwperf.children(recursive=True):
        try:
            if child.cmdline()[-2:] == ["app", "api"]:
                port = child.environ().get("API_PORT")
                return f"http://127.0.0.1:{port}" if port else None
        except psutil.Error:
            continue
    return None


def _healthy(url: str) -> bool:
    try:
        return call("GET", url + "/health", timeout_s=2).status == 200
    except OSError:
        return False


def _careless_client(base: str) -> list[str]:
    """Send secrets where a careless client would; return them."""
    _, key = new_agent(base)
    tokens, _, _ = new_user(base, PASSWORD)
    access, refresh = tokens["accessToken"], tokens["refreshToken"]
    call("POST", base + "/api/v1/auth/login", body={"email": "nobody@example.org", "password": PASSWORD})
    call("POST", base + "/api/v1/auth/refresh", body={"refreshToken": refresh})
    call("GET", base + f"/api/v1/problems/{key}", headers={**bearer(access), "User-Agent": f"probe {key} {access}"})
    call("GET", base + f"/api/v1/problems?cursor={refresh}", headers={"X-Request-Id": key[:40]})
    call("POST", base + "/api/v1/agents/heartbeat", headers=bearer(key))
    call("POST", base + "/api/v1/agents/heartbeat", headers=bearer(access))  # wrong kind: 403, logged
    call("GET", base + "/api/v1/problems?limit=1", headers={"Authorization": f"Basic {key}"})
    return [key, access, refresh, PASSWORD]


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], list[str]]:
    cwd = tmp_path_factory.mktemp("baseline-run")
    home = cwd / ".bwperf"
    home.mkdir()
    secrets_file = home / "secrets.json"
    secrets_file.write_text(json.dumps({"JWT_SECRET": JWT_SECRET, "API_KEY_PEPPER": API_KEY_PEPPER}))
    secrets_file.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ANTHROPIC_BASE_URL",
                                                           "ANTHROPIC_API_KEY", "JWT_SECRET", "API_KEY_PEPPER")}
    env["PYTHONPATH"] = str(ROOT)
    popen = subprocess.Popen([sys.executable, "-m", "bwperf", "run", str(PLAN), "--profile", "smoke",
                              "--out", "out", "--quiet"], cwd=cwd, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    sent: list[str] = []
    try:
        bwperf = psutil.Process(popen.pid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and popen.poll() is None and not sent:
            url = _api_url(bwperf)
            if url and _healthy(url):
                sent = _careless_client(url)
            time.sleep(0.2)
        stdout, stderr = popen.communicate(timeout=240)
    finally:
        if popen.poll() is None:  # the test failed first: stop the run and its stack like Ctrl-C
            os.killpg(popen.pid, signal.SIGINT)
            popen.communicate(timeout=60)
    assert sent, "the test could not reach the run's API"
    done = subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)
    return cwd, done, sent + [JWT_SECRET, API_KEY_PEPPER]


def test_the_baseline_smoke_run_ran_end_to_end(baseline_run) -> None:
    cwd, done, _ = baseline_run
    assert done.returncode in (EXIT_OK, EXIT_THRESHOLDS_FAILED), done.stderr[-3000:]
    assert done.returncode != EXIT_INTERRUPTED
    (result_path,) = cwd.glob("out/*/result.json")
    result = load_result(result_path)
    assert result.complete and set(result.scenarios) == {"browse_problems", "agent_registration_burst",
                                                          "create_problems", "search_missions"}
    assert result.scenarios["agent_registration_burst"].requests > 0  # new keys were issued during the run
    logs = sorted(p.name for p in (cwd / ".bwperf" / "logs").glob("*.log"))
    assert logs == ["api.log", "llm-emulator.log", "worker.log"], logs


def test_no_secret_in_any_log_result_or_report(baseline_run) -> None:
    cwd, done, secrets = baseline_run
    files = [p for p in cwd.rglob("*") if p.is_file() and p.name != "secrets.json"
             and p.suffix in (".log", ".json", ".html", ".md", ".jsonl", ".csv", ".txt")]
    names = {p.name for p in files}
    assert {"api.log", "worker.log", "postgres.log", "valkey.log", "result.json", "summary-export.json",
            "report.html", "summary.md"} <= names, names
    texts = {str(p.relative_to(cwd)): p.read_text(errors="replace") for p in files}
    texts["bwperf stdout"], texts["bwperf stderr"] = done.stdout, done.stderr
    assert sum(len(t) for t in texts.values()) > 100_000  # the logs really were written
    found = []
    for where, text in texts.items():
        for secret in secrets:
            if secret in text:
                found.append(f"{where}: a known secret ({secret[:6]}...)")
        for shape in (API_KEY_SHAPE, JWT_SHAPE):
            found += [f"{where}: {match.group()[:12]}..." for match in shape.finditer(text)]
    assert found == []
    api_log = texts[".bwperf/logs/api.log"]
    assert "[REDACTED]" in api_log  # the careless requests were logged, redacted
