"""The real API process (`python -m app api`): graceful shutdown and what it writes to its log."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import aiohttp
import pytest

from tests.app.conftest import insert_missions

REPO = Path(__file__).resolve().parents[2]
PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = _free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "api"], cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
            env={**env, "API_PORT": str(self.port), "RATE_LIMIT_PROFILE": "loadtest", "BW_ENV": "test"},
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the API did not start listening in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()

    def log_events(self) -> list[dict]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]


@pytest.fixture
def api(app_env: dict[str, str], clean_db: str, tmp_path: Path) -> Iterator[ApiProcess]:
    process = ApiProcess({**app_env, "SHUTDOWN_TIMEOUT_S": "10"}, tmp_path / "api.log")
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", 0))), 10)
    return status, headers, body


async def _register(base: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/v1/auth/agents/register", json={
            "username": "shutdown-agent", "framework": "custom", "modelProvider": "anthropic",
            "modelName": "m", "specializations": [], "soulSummary": ""}) as resp:
            assert resp.status == 201
            return (await resp.json())["apiKey"]


def _upload_head(port: int, mission_id: int, key: str, file_bytes: int) -> tuple[bytes, bytes, bytes]:
    boundary = "shutdownboundary"
    part_head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.png\"\r\n"
                 "Content-Type: image/png\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(part_head) + file_bytes + len(tail)
    request = (f"POST /api/v1/missions/{mission_id}/evidence HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Authorization: Bearer {key}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
               f"Content-Length: {length}\r\n\r\n").encode()
    return request + part_head, PNG_HEAD, tail


async def test_sigterm_drains_in_flight_requests_and_turns_readiness_off(api: ApiProcess, clean_db: str) -> None:
    key = await _register(api.base)
    (mission_id,) = insert_missions(clean_db, [(1.0, 2.0)])
    chunk, rounds = b"\x00" * 16_384, 8
    head, first, tail = _upload_head(api.port, mission_id, key, len(PNG_HEAD) + len(chunk) * rounds)

    probe_reader, probe_writer = await asyncio.open_connection("127.0.0.1", api.port)  # before the signal
    probe_writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await _read_response(probe_reader))[0] == 200

    up_reader, up_writer = await asyncio.open_connection("127.0.0.1", api.port)
    up_writer.write(head + first)
    await up_writer.drain()
    await asyncio.sleep(0.3)
    api.proc.send_signal(signal.SIGTERM)

    for _ in range(50):  # until the process has handled the signal (bounded: 5 s)
        probe_writer.write(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = await _read_response(probe_reader)
        if status != 200:
            break
        await asyncio.sleep(0.1)
    assert status == 503 and json.loads(body)["status"] == "shutting_down"
    assert headers.get("connection", "").lower() == "close"
    with pytest.raises(OSError):
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", api.port), 2)

    for _ in range(rounds):  # the upload goes on, slowly, during the drain
        up_writer.write(chunk)
        await up_writer.drain()
        await asyncio.sleep(0.15)
    up_writer.write(tail)
    status, _, body = await _read_response(up_reader)
    assert status == 201, body
    assert json.loads(body)["sizeBytes"] == len(PNG_HEAD) + len(chunk) * rounds
    up_writer.close()
    probe_writer.close()
    assert await asyncio.to_thread(api.proc.wait, 15) == 0
    messages = [event["event"] for event in api.log_events()]
    for expected in ("shutdown started", "drain finished", "shutdown complete"):
        assert expected in messages, messages


async def test_a_stalled_request_cannot_hold_shutdown_beyond_the_timeout(app_env, clean_db, tmp_path) -> None:
    api = ApiProcess({**app_env, "SHUTDOWN_TIMEOUT_S": "1"}, tmp_path / "api.log")
    try:
        api.wait_healthy()
        key = await _register(api.base)
        (mission_id,) = insert_missions(clean_db, [(1.0, 2.0)])
        head, first, _ = _upload_head(api.port, mission_id, key, 1_000_000)
        _, writer = await asyncio.open_connection("127.0.0.1", api.port)
        writer.write(head + first)  # ...and never the rest
        await writer.drain()
        await asyncio.sleep(0.3)
        started = time.monotonic()
        api.proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(api.proc.wait, 15) == 0
        assert time.monotonic() - started < 8  # 1 s drain + 1 s last grace + closing, on a busy machine
        writer.close()
        leftovers = [p for p in Path(app_env["EVIDENCE_DIR"]).rglob("*") if p.is_file()]
        assert leftovers == [], "the cancelled upload left a partial file"
        assert "drain timed out" in [event["event"] for event in api.log_events()]
    finally:
        api.stop()


async def test_logs_are_json_lines_with_secrets_redacted(api: ApiProcess) -> None:
    key = await _register(api.base)
    password = "a very secret passphrase 42"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base}/api/v1/auth/register", json={
                "email": "log@example.org", "password": password, "displayName": "L"}) as resp:
            tokens = await resp.json()
        jwt_token = tokens["accessToken"]
        async with session.get(f"{api.base}/api/v1/problems/{key}", headers={
                "Authorization": f"Bearer {jwt_token}", "User-Agent": f"agent {key} {tokens['refreshToken']}",
                "X-Request-Id": "log-test-1"}) as resp:
            assert resp.status == 400
        async with session.post(f"{api.base}/api/v1/agents/heartbeat", headers={"Authorization": f"Bearer {key}"}) as resp:
            assert resp.status == 200
    api.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(api.proc.wait, 15) == 0
    text = api.log_path.read_text()
    for secret in (key, key[8:], jwt_token, tokens["refreshToken"], password):
        assert secret not in text
    events = api.log_events()  # every line parses as JSON
    access = [e for e in events if e.get("event") == "request"]
    assert {"method", "route", "status", "duration_ms", "request_id"} <= set(access[0])
    tagged = next(e for e in access if e["request_id"] == "log-test-1")
    assert tagged["route"] == "/api/v1/problems/{id}" and "[REDACTED]" in tagged["path"]
    assert "[REDACTED]" in tagged["user_agent"] and tagged["status"] == 400
