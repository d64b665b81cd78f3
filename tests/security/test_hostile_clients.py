"""Hostile clients against a real API process, byte for byte over raw sockets: broken encodings,
cut-off uploads and slow connections get a 4xx (or a closed connection), never a 500, never a
traceback in the log, and never leave a half-stored upload behind.

The API here runs with short read limits (header 1 s, body 1 s of grace), so each test takes
seconds; the limits and their defaults are in docs/api-limits.md."""

from __future__ import annotations

import asyncio
import gzip
import json
import resource
import secrets
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from harness.faults.lab import FaultLab, PlatformProcess

from .client import new_agent

HEADER_TIMEOUT_S = 1.0
BODY_TIMEOUT_S = 1.0
BODY_MIN_RATE = 1024  # bytes per second
LOGIN = "/api/v1/auth/login"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 400


@pytest.fixture(scope="module")
def hostile_api(security_lab: FaultLab) -> PlatformProcess:
    return security_lab.api(API_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S), API_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S),
                            API_BODY_MIN_RATE_BYTES_PER_S=str(BODY_MIN_RATE))


@pytest.fixture(scope="module")
def uploader(hostile_api: PlatformProcess, security_lab: FaultLab) -> tuple[str, int, Path]:
    _, key = new_agent(hostile_api.url)
    (mission,) = security_lab.sql("INSERT INTO missions (title, description, domain, latitude, longitude) "
                                  "VALUES ('hostile', 'd', 'water', 1, 2) RETURNING id")[0]
    return key, int(mission), security_lab.home / "evidence"


@pytest.fixture
def clean_log(hostile_api: PlatformProcess, security_lab: FaultLab) -> Iterator[None]:
    """Fails the test if the API wrote a traceback (or a 500) to its log while it ran."""
    log = security_lab.home / "logs" / f"api-{hostile_api.port}.log"
    start = log.stat().st_size
    yield
    with open(log, "rb") as handle:
        handle.seek(start)
        written = handle.read().decode(errors="replace")
    assert "Traceback" not in written and '"status": 500' not in written, written[-3000:]


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Reply(int(status_line.split()[1]), headers, body)


async def exchange(port: int, raw: bytes, *, timeout_s: float = 10) -> Reply:
    """Send exactly `raw` on a fresh connection and read one response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        return await asyncio.wait_for(_read_reply(reader), timeout_s)
    finally:
        writer.close()


def request(method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_client_error(reply: Reply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body[:500]
    body = reply.json()
    assert set(body) == {"error", "message", "details"} and "\n" not in body["message"], body
    return body


# -- point 4: broken or hostile encodings ---------------------------------------------------------

LOGIN_JSON = json.dumps({"email": "nobody@example.org", "password": "x" * 12}).encode()
NOT_COMPRESSED = {
    "gzip": b"this is not gzip at all" * 10,
    "deflate": b"\x78\x9c" + b"\xff" * 64,  # a zlib header, then garbage
    "br": b"\xff\xfe\xfd" * 40,
}


@pytest.mark.parametrize("encoding", NOT_COMPRESSED)
@pytest.mark.parametrize("path", [LOGIN, "/api/v1/auth/register", "/api/v1/problems"])
async def test_a_body_that_is_not_its_content_encoding_is_a_400(hostile_api: PlatformProcess, clean_log: None,
                                                                uploader: tuple[str, int, Path], encoding: str,
                                                                path: str) -> None:
    reply = await exchange(hostile_api.port, request("POST", path, NOT_COMPRESSED[encoding],
                                                     Content_Type="application/json", Content_Encoding=encoding,
                                                     Authorization=f"Bearer {uploader[0]}"))
    body = assert_client_error(reply, 400)
    assert body["error"] == "validation_failed" and body["details"]["fields"][0]["field"] == "body"


async def test_a_truncated_gzip_body_is_a_400(hostile_api: PlatformProcess, clean_log: None) -> None:
    broken = gzip.compress(LOGIN_JSON)[:-12]
    reply = await exchange(hostile_api.port, request("POST", LOGIN, broken, Content_Type="application/json",
                                                     Content_Encoding="gzip"))
    assert_client_error(reply, 400)


async def test_a_valid_gzip_body_is_decoded(hostile_api: PlatformProcess, clean_log: None) -> None:
    reply = await exchange(hostile_api.port, request("POST", LOGIN, gzip.compress(LOGIN_JSON),
                                                     Content_Type="application/json", Content_Encoding="gzip"))
    assert_client_error(reply, 401)  # decoded and judged: wrong credentials, not a bad body


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compression_bomb_is_a_413_without_growing_memory(hostile_api: PlatformProcess, clean_log: None,
                                                                  encoding: str) -> None:
    # 256 KB on the wire, 256 MB decompressed (4x the memory bound below; building a bigger bomb
    # costs the test more than the server): the body limit (1 MB) applies to the decoded bytes.
    zeros = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    bomb = b"".join(zeros.compress(b"\0" * (1 << 24)) for _ in range(16)) + zeros.flush()
    process = psutil.Process(hostile_api.pid)
    before = process.memory_info().rss
    started = time.monotonic()
    reply = await exchange(hostile_api.port, request("POST", LOGIN, bomb, Content_Type="application/json",
                                                     Content_Encoding=encoding), timeout_s=20)
    assert_client_error(reply, 413)
    assert time.monotonic() - started < 10
    assert process.memory_info().rss - before < 64 << 20


async def test_malformed_content_lengths_are_a_400(hostile_api: PlatformProcess, clean_log: None) -> None:
    for value in ("-1", "abc", "1e3", "12, 13", "99999999999999999999999999"):
        reply = await exchange(hostile_api.port, f"POST {LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n"
                               f"Content-Type: application/json\r\n\r\n{{}}".encode())
        assert reply.status == 400, (value, reply.status, reply.body[:200])


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "no-such-charset"])
async def test_a_json_body_in_another_charset_is_a_400(hostile_api: PlatformProcess, clean_log: None,
                                                       charset: str) -> None:
    encoded = LOGIN_JSON.decode().encode("utf-16") if charset == "utf-16" else b'{"email": "\xe9@x.org"}'
    reply = await exchange(hostile_api.port, request("POST", LOGIN, encoded,
                                                     Content_Type=f"application/json; charset={charset}"))
    assert_client_error(reply, 400)


@pytest.mark.parametrize("target", [b"/api/v1/problems?domain=\xff\xfe", b"/api/v1/problems/\xff",
                                    b"/api/v1/problems?%ff%fe=%c3%28", b"/api/v1/missions/%ff/evidence"])
async def test_invalid_utf8_in_path_or_query_is_a_4xx(hostile_api: PlatformProcess, clean_log: None,
                                                      target: bytes) -> None:
    reply = await exchange(hostile_api.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert 400 <= reply.status < 500, (target, reply.status, reply.body[:200])


async def test_a_non_ascii_bearer_token_is_a_401(hostile_api: PlatformProcess, clean_log: None) -> None:
    raw = b"GET /api/v1/problems HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n"
    assert (await exchange(hostile_api.port, raw)).status == 401


# -- point 5: truncated uploads are never stored ---------------------------------------------------

def _multipart(content: bytes, *, closing: bool = True) -> tuple[bytes, str]:
    boundary = "hostile" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + content
    if closing:
        body += f"\r\n--{boundary}--\r\n".encode()
    return body, boundary


def _upload_head(key: str, mission: int, boundary: str, length: int) -> bytes:
    return (f"POST /api/v1/missions/{mission}/evidence HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n").encode()


def _stored(security_lab: FaultLab, root: Path, mission: int) -> tuple[int, set[Path]]:
    rows = security_lab.sql("SELECT count(*) FROM evidence WHERE mission_id = %s", (mission,))[0][0]
    return int(rows), {p for p in root.rglob("*") if p.is_file()}


async def test_an_upload_without_its_closing_boundary_is_refused_and_not_stored(
        hostile_api: PlatformProcess, security_lab: FaultLab, uploader: tuple[str, int, Path],
        clean_log: None) -> None:
    key, mission, root = uploader
    before = _stored(security_lab, root, mission)
    body, boundary = _multipart(PNG + b"\x00" * 500, closing=False)
    reply = await exchange(hostile_api.port, _upload_head(key, mission, boundary, len(body)) + body)
    body_json = assert_client_error(reply, 400)
    assert "boundary" in body_json["message"]
    assert _stored(security_lab, root, mission) == before


async def test_a_complete_upload_is_still_stored(hostile_api: PlatformProcess, security_lab: FaultLab,
                                                 uploader: tuple[str, int, Path], clean_log: None) -> None:
    key, mission, root = uploader
    body, boundary = _multipart(PNG)
    reply = await exchange(hostile_api.port, _upload_head(key, mission, boundary, len(body)) + body)
    assert reply.status == 201, reply.body
    assert reply.json()["sizeBytes"] == len(PNG)


async def _start_upload(port: int, uploader: tuple[str, int, Path], *, padding: int,
                        sent: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An upload of a PNG and `padding` bytes that promises its whole length and sends `sent` bytes of the body."""
    key, mission, _ = uploader
    body, boundary = _multipart(PNG + b"\x00" * padding)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_upload_head(key, mission, boundary, len(body)) + body[:sent])
    await writer.drain()
    return reader, writer


async def test_an_upload_cut_off_mid_body_is_not_stored_and_logs_no_traceback(
        hostile_api: PlatformProcess, security_lab: FaultLab, uploader: tuple[str, int, Path],
        clean_log: None) -> None:
    # The client promises 300 kB, sends 100 kB and closes its side: the server sees EOF mid-body.
    key, mission, root = uploader
    before = _stored(security_lab, root, mission)
    reader, writer = await _start_upload(hostile_api.port, uploader, padding=300_000, sent=100_000)
    writer.write_eof()
    try:
        reply = await asyncio.wait_for(_read_reply(reader), 5)
        assert 400 <= reply.status < 500, reply.body
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # closing without an answer is fine too: the client cannot read it anyway
    finally:
        writer.close()
    await asyncio.sleep(0.3)
    assert _stored(security_lab, root, mission) == before


# -- point 6: read timeouts -----------------------------------------------------------------------

async def _closed_within(reader: asyncio.StreamReader, limit_s: float) -> float:
    """Seconds until the server closes the connection (reads whatever it sends first)."""
    started = time.monotonic()
    while await asyncio.wait_for(reader.read(65536), limit_s):
        pass
    return time.monotonic() - started


async def test_slow_headers_are_cut_off(hostile_api: PlatformProcess, clean_log: None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", hostile_api.port)
    try:
        writer.write(b"GET /api/v1/problems HTTP/1.1\r\nHost: x\r\n")
        sent = 0
        started = time.monotonic()
        while time.monotonic() - started < HEADER_TIMEOUT_S + 2 and not reader.at_eof():
            try:
                writer.write(f"X-Slow-{sent}: 1\r\n".encode())  # a header line every 0.2 s: never done
                await writer.drain()
            except ConnectionError:
                break
            sent += 1
            await asyncio.sleep(0.2)
        elapsed = await _closed_within(reader, HEADER_TIMEOUT_S + 2 - (time.monotonic() - started))
        assert time.monotonic() - started < HEADER_TIMEOUT_S + 1, elapsed
    finally:
        writer.close()


async def test_a_slow_body_gets_408_and_the_connection_closes(hostile_api: PlatformProcess,
                                                              clean_log: None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", hostile_api.port)
    started = time.monotonic()
    try:
        writer.write(request("POST", LOGIN, b"", Content_Type="application/json").replace(
            b"Content-Length: 0", b"Content-Length: 100000") + b'{"email": ')
        await writer.drain()
        reply_task = asyncio.ensure_future(_read_reply(reader))
        while not reply_task.done() and time.monotonic() - started < 10:
            writer.write(b" ")  # 10 bytes per second, far below the minimum rate
            await asyncio.sleep(0.1)
        reply = await asyncio.wait_for(reply_task, 1)
        assert_client_error(reply, 408)
        assert reply.headers.get("connection", "").lower() == "close"
        await _closed_within(reader, 5)
        assert time.monotonic() - started < BODY_TIMEOUT_S + 3
    finally:
        writer.close()


async def test_a_slow_but_steady_body_is_accepted(hostile_api: PlatformProcess, clean_log: None) -> None:
    # Twice the minimum rate, for longer than the grace period: within the limits, so judged.
    payload = LOGIN_JSON + b" " * (3 * BODY_MIN_RATE)
    reader, writer = await asyncio.open_connection("127.0.0.1", hostile_api.port)
    try:
        writer.write(request("POST", LOGIN, b"", Content_Type="application/json").replace(
            b"Content-Length: 0", f"Content-Length: {len(payload)}".encode()))
        step = BODY_MIN_RATE // 5
        for offset in range(0, len(payload), step):
            writer.write(payload[offset:offset + step])
            await writer.drain()
            await asyncio.sleep(0.1)
        assert_client_error(await asyncio.wait_for(_read_reply(reader), 5), 401)
    finally:
        writer.close()


async def test_an_upload_that_stalls_is_timed_out_and_not_stored(
        hostile_api: PlatformProcess, security_lab: FaultLab, uploader: tuple[str, int, Path],
        clean_log: None) -> None:
    key, mission, root = uploader
    before = _stored(security_lab, root, mission)
    reader, writer = await _start_upload(hostile_api.port, uploader, padding=50_000, sent=20_000)
    try:
        reply = await asyncio.wait_for(_read_reply(reader), BODY_TIMEOUT_S + 20_000 / BODY_MIN_RATE + 3)
        assert_client_error(reply, 408)
    finally:
        writer.close()
    await asyncio.sleep(0.2)
    assert _stored(security_lab, root, mission) == before


async def test_800_half_open_requests_are_closed_within_the_header_limit(hostile_api: PlatformProcess,
                                                                         clean_log: None) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    process = psutil.Process(hostile_api.pid)
    baseline = process.num_fds()
    connections = []
    for _ in range(8):
        batch = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", hostile_api.port) for _ in range(100)))
        for reader, writer in batch:
            writer.write(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Le")  # never finished
        connections += batch
    started = time.monotonic()
    # The server really holds them: at least the last batch (on a busy machine opening 800 takes
    # longer than the 1 s limit, and the first are already gone).
    assert process.num_fds() >= baseline + 100
    try:
        await asyncio.gather(*(_closed_within(reader, HEADER_TIMEOUT_S + 3) for reader, _ in connections))
        assert time.monotonic() - started < HEADER_TIMEOUT_S + 3
        deadline = time.monotonic() + 2
        while process.num_fds() > baseline + 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert process.num_fds() <= baseline + 5, (baseline, process.num_fds())
    finally:
        for _, writer in connections:
            writer.close()
    # and the server still answers
    assert (await exchange(hostile_api.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")).status == 200
