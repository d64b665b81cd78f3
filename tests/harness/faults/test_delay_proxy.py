"""The delay proxy over real sockets: an aiohttp upstream in a thread of its own, http.client as the client."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Callable, Iterator

import psutil
import pytest
import aiohttp
from aiohttp import web

from harness.faults.delay_proxy import DelayProxy, DelayRule, delay_for_s, main

ROOT = Path(__file__).resolve().parents[3]
BIG_BYTES = 5 * 1024 * 1024


class Upstream:
    """An aiohttp app on 127.0.0.1 in a daemon thread; `peers` holds the client address of every request."""

    def __init__(self) -> None:
        self.peers: set[tuple[str, int]] = set()
        self.loop = asyncio.new_event_loop()
        self.gate = asyncio.Event()
        app = web.Application(middlewares=[self._record_peer])
        app.router.add_post("/echo-sha", self._echo_sha)
        app.router.add_get("/chunked", self._chunked)
        app.router.add_get("/chunked-gated", self._chunked_gated)
        app.router.add_get("/no-content", self._no_content)
        app.router.add_get("/not-modified", self._not_modified)
        app.router.add_get("/close", self._close)
        app.router.add_get("/ws", self._websocket_echo)
        app.router.add_route("*", "/{tail:.*}", self._describe)
        self._runner = web.AppRunner(app)
        self.loop.run_until_complete(self._runner.setup())
        self.loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", 0).start())
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def open_gate(self) -> None:
        self.loop.call_soon_threadsafe(self.gate.set)

    @web.middleware
    async def _record_peer(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        assert request.transport is not None
        self.peers.add(request.transport.get_extra_info("peername"))
        return await handler(request)

    async def _describe(self, request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"method": request.method, "path": request.path, "query": request.query_string,
                                  "body": body.decode()})

    async def _echo_sha(self, request: web.Request) -> web.Response:
        digest, length = hashlib.sha256(), 0
        async for piece in request.content.iter_any():
            digest.update(piece)
            length += len(piece)
        return web.json_response({"sha256": digest.hexdigest(), "length": length})

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for piece in _chunk_pieces():
            await response.write(piece)
        await response.write_eof()
        return response

    async def _chunked_gated(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"first-piece")
        await asyncio.wait_for(self.gate.wait(), 5)
        await response.write(b"second-piece")
        await response.write_eof()
        return response

    async def _no_content(self, _request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _not_modified(self, _request: web.Request) -> web.Response:
        return web.Response(status=304)

    async def _websocket_echo(self, request: web.Request) -> web.WebSocketResponse:
        socket_ = web.WebSocketResponse()
        await socket_.prepare(request)
        async for message in socket_:
            await socket_.send_str(message.data)
        return socket_

    async def _close(self, _request: web.Request) -> web.Response:
        response = web.json_response({"closing": True})
        response.force_close()
        return response


def _chunk_pieces() -> list[bytes]:
    return [bytes([i % 251]) * (1 + (i * 7919) % 90_000) for i in range(40)]


def _big_pieces() -> Iterator[bytes]:
    piece = bytes(range(256)) * 256  # 64 KiB
    for i in range(BIG_BYTES // len(piece)):
        yield piece[i % 256:] + piece[:i % 256]


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@contextmanager
def running(upstream_url: str, rules: list[DelayRule], **options: object) -> Iterator[DelayProxy]:
    with DelayProxy(upstream_url=upstream_url, rules=rules, **options) as proxy:  # type: ignore[arg-type]
        yield proxy


def connect(proxy: DelayProxy) -> http.client.HTTPConnection:
    port = int(proxy.url.rsplit(":", 1)[1])
    return http.client.HTTPConnection("127.0.0.1", port, timeout=5)


def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes, float]:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, response.headers, data, (time.perf_counter() - started) * 1000.0


def median_ms(conn: http.client.HTTPConnection, method: str, path: str, count: int) -> float:
    timings = []
    for _ in range(count):
        status, _headers, _body, elapsed_ms = call(conn, method, path)
        assert status == 200
        timings.append(elapsed_ms)
    return statistics.median(timings)


def raw_exchange(proxy: DelayProxy, request: bytes, *, until: bytes | None = None) -> bytes:
    """Send `request` on a fresh socket; read until `until` appears, or until the proxy closes."""
    port = int(proxy.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while until is None or until not in received:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
        return received


@contextmanager
def raw_upstream(respond: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """A socket server that reads each request head and calls respond(connection, request_number)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stopping = threading.Event()

    def serve() -> None:
        served = 0
        while not stopping.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                while True:
                    head = b""
                    while b"\r\n\r\n" not in head:
                        piece = conn.recv(65536)
                        if not piece:
                            break
                        head += piece
                    if b"\r\n\r\n" not in head:
                        break
                    served += 1
                    if respond(conn, served) is False:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stopping.set()
        thread.join(5)
        server.close()


# 1. Delays -----------------------------------------------------------------------------------------------------

def test_first_matching_rule_wins_and_queries_are_ignored() -> None:
    rules = [DelayRule(0, "/api/health"), DelayRule(30, "/api/slow"), DelayRule(10, "/api/"),
             DelayRule(20, "/write", method="post")]
    assert delay_for_s(rules, "GET", "/api/health") == 0.0
    assert delay_for_s(rules, "GET", "/api/slow/1") == 0.030
    assert delay_for_s(rules, "DELETE", "/api/x") == 0.010
    assert delay_for_s(rules, "POST", "/write/1") == 0.020
    assert delay_for_s(rules, "GET", "/write/1") == 0.0
    assert delay_for_s(rules, "GET", "/other") == 0.0


def test_matched_requests_are_delayed_and_others_are_not(upstream: Upstream) -> None:
    rules = [DelayRule(0, "/api/health"), DelayRule(30, "/api/slow"), DelayRule(10, "/api/"),
             DelayRule(20, "/write", method="POST")]
    with running(upstream.url, rules) as proxy:
        with closing(connect(proxy)) as conn:
            delayed = median_ms(conn, "GET", "/api/items?page=2", 30)
            first_match = median_ms(conn, "GET", "/api/slow/1", 10)
            exempt = median_ms(conn, "GET", "/api/health", 10)
            unmatched = median_ms(conn, "GET", "/other?next=/api/items", 30)
            post = median_ms(conn, "POST", "/write", 10)
            get = median_ms(conn, "GET", "/write", 10)
            assert 10 <= delayed < 10 + 20
            assert 30 <= first_match < 30 + 20
            assert exempt < 5 and unmatched < 5 and get < 5
            assert 20 <= post < 20 + 20
            assert (proxy.requests_delayed, proxy.requests_forwarded) == (30 + 10 + 10, 100)


def test_rules_changed_while_running_apply_to_the_next_request_on_the_same_connection(upstream: Upstream) -> None:
    with running(upstream.url, []) as proxy:
        with closing(connect(proxy)) as conn:
            before = median_ms(conn, "GET", "/api/items", 10)
            proxy.set_rules([DelayRule(15, "/api/")])
            after = median_ms(conn, "GET", "/api/items", 10)
        with pytest.raises(ValueError, match=r"rules\[0\] must be a DelayRule"):
            proxy.set_rules(["/api/"])  # type: ignore[list-item]
    assert before < 5 and 15 <= after < 15 + 20
    assert proxy.requests_delayed == 10


# 2. Keep-alive ---------------------------------------------------------------------------------------------------

def test_one_client_connection_uses_one_upstream_connection(upstream: Upstream) -> None:
    with running(upstream.url, [DelayRule(1, "/api/")]) as proxy:
        upstream.peers.clear()
        with closing(connect(proxy)) as conn:
            for i in range(60):
                status, _h, body, _ms = call(conn, "POST", f"/api/items/{i}?q={i}", body=f"payload-{i}".encode())
                assert status == 200
                assert body == f'{{"method": "POST", "path": "/api/items/{i}", "query": "q={i}", ' \
                               f'"body": "payload-{i}"}}'.encode()
                if i % 10 == 0:
                    status, headers, body, _ms = call(conn, "HEAD", f"/api/items/{i}")
                    assert (status, body) == (200, b"") and int(headers["Content-Length"]) > 0
                    assert call(conn, "GET", "/no-content")[:3:2] == (204, b"")
                    assert call(conn, "GET", "/not-modified")[:3:2] == (304, b"")
            assert len(upstream.peers) == 1
            assert proxy.requests_forwarded == 60 + 6 * 3


def test_connection_close_from_either_side_is_honoured(upstream: Upstream) -> None:
    with running(upstream.url, []) as proxy:
        upstream.peers.clear()
        with closing(connect(proxy)) as conn:
            status, headers, body, _ms = call(conn, "GET", "/close")
            assert status == 200 and headers["Connection"] == "close" and body == b'{"closing": true}'
            assert call(conn, "GET", "/after")[0] == 200  # http.client reconnects, and so does the proxy
            assert len(upstream.peers) == 2
            answer = raw_exchange(proxy, b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'"body": ""}')  # and then closed


def test_a_kept_alive_upstream_connection_closed_while_idle_is_replaced() -> None:
    def respond(conn: socket.socket, number: int) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\nreply-%d" % (len(str(number)) + 6, number))
        return False  # then close the connection without saying so

    with raw_upstream(respond) as url, running(url, []) as proxy:
        with closing(connect(proxy)) as conn:
            assert call(conn, "GET", "/a")[2] == b"reply-1"
            time.sleep(0.1)
            assert call(conn, "GET", "/b")[2] == b"reply-2"


def test_connections_beyond_the_limit_are_closed_and_idle_ones_time_out(upstream: Upstream) -> None:
    with running(upstream.url, [], max_connections=2, idle_timeout_s=0.5) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        first, second = connect(proxy), connect(proxy)
        assert call(first, "GET", "/1")[0] == 200 and call(second, "GET", "/2")[0] == 200
        with socket.create_connection(("127.0.0.1", port), timeout=5) as third:
            assert third.recv(100) == b""
        assert call(first, "GET", "/1")[0] == 200
        first.close()
        second.close()
        time.sleep(0.2)  # for the proxy to see both go
        with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:
            started = time.monotonic()
            assert idle.recv(100) == b""
            assert 0.3 < time.monotonic() - started < 2.0


# 3. Bodies ---------------------------------------------------------------------------------------------------------

def test_a_5_mb_upload_streams_through_intact(upstream: Upstream) -> None:
    expected = hashlib.sha256(b"".join(_big_pieces())).hexdigest()
    with running(upstream.url, [DelayRule(5, "/")]) as proxy:
        with closing(connect(proxy)) as conn:
            tracemalloc.start()
            try:
                status, _h, body, _ms = call(conn, "POST", "/echo-sha", body=_big_pieces(),  # type: ignore[arg-type]
                                             headers={"Content-Length": str(BIG_BYTES)})
                _now, peak_bytes = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert status == 200 and body == f'{{"sha256": "{expected}", "length": {BIG_BYTES}}}'.encode()
            assert peak_bytes < BIG_BYTES / 2, "the body was held whole somewhere"
            conn.request("POST", "/echo-sha", body=_big_pieces(), encode_chunked=True)
            response = conn.getresponse()
            assert response.status == 200 and expected.encode() in response.read()


def test_a_chunked_response_arrives_intact_and_as_it_comes(upstream: Upstream) -> None:
    with running(upstream.url, []) as proxy:
        with closing(connect(proxy)) as conn:
            status, headers, body, _ms = call(conn, "GET", "/chunked")
            assert status == 200 and headers["Transfer-Encoding"] == "chunked"
            assert body == b"".join(_chunk_pieces())
            upstream.gate.clear()
            conn.request("GET", "/chunked-gated")
            response = conn.getresponse()
            assert response.read1(100) == b"first-piece"  # before the upstream has finished
            upstream.open_gate()
            assert response.read() == b"second-piece"
            assert call(conn, "GET", "/after")[0] == 200


def test_expect_100_continue_is_relayed_before_the_body(upstream: Upstream) -> None:
    with running(upstream.url, [DelayRule(5, "/")]) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /echo-sha HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(b"hello")
            answer = b""
            while not answer.endswith(b"}"):
                answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert hashlib.sha256(b"hello").hexdigest().encode() in answer


def test_a_websocket_upgrade_is_tunnelled(upstream: Upstream) -> None:
    async def echo(url: str) -> str:
        async with aiohttp.ClientSession() as session, session.ws_connect(url + "/ws") as websocket:
            await websocket.send_str("ping")
            return (await websocket.receive(timeout=5)).data

    with running(upstream.url, []) as proxy:
        assert asyncio.run(echo(proxy.url)) == "ping"


def test_trailers_and_bodies_ended_by_close_are_relayed() -> None:
    chunked = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: abc\r\n\r\n"

    def respond(conn: socket.socket, number: int) -> bool:
        if number == 1:
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" + chunked)
            return True
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
        return False

    with raw_upstream(respond) as url, running(url, []) as proxy:
        answer = raw_exchange(proxy, b"GET /t HTTP/1.1\r\nHost: x\r\n\r\nGET /e HTTP/1.1\r\nHost: x\r\n\r\n")
        first, _, second = answer.partition(chunked)
        assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(b"\r\n\r\n")
        assert second.startswith(b"HTTP/1.1 200 OK\r\n") and second.endswith(b"\r\n\r\nuntil the end")


# 4. Failures and refusals ------------------------------------------------------------------------------------------

def test_upstream_down_or_reset_gives_502() -> None:
    with socket.create_server(("127.0.0.1", 0)) as spare:
        closed_port = spare.getsockname()[1]
    with running(f"http://127.0.0.1:{closed_port}", []) as proxy:
        answer = raw_exchange(proxy, b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 502 Bad Gateway\r\n") and b"Connection: close" in answer
        assert f"upstream 127.0.0.1:{closed_port} failed".encode() in answer

    def reset(conn: socket.socket, _number: int) -> bool:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False

    with raw_upstream(reset) as url, running(url, []) as proxy:
        answer = raw_exchange(proxy, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        assert answer.startswith(b"HTTP/1.1 502 Bad Gateway\r\n")


def test_an_oversize_request_head_gets_431(upstream: Upstream) -> None:
    with running(upstream.url, []) as proxy:
        request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
        assert raw_exchange(proxy, request).startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
        assert raw_exchange(proxy, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 Bad Request\r\n")


@pytest.mark.parametrize(("options", "named"), [
    ({"upstream_url": "http://10.0.0.1:8000"}, "http://10.0.0.1:8000"),
    ({"upstream_url": "http://example.com"}, "http://example.com"),
    ({"upstream_url": "https://127.0.0.1:8443"}, "https://127.0.0.1:8443"),
    ({"listen_host": "0.0.0.0"}, "0.0.0.0"),
    ({"listen_host": "192.168.1.5"}, "192.168.1.5"),
])
def test_only_loopback_is_allowed(options: dict[str, str], named: str) -> None:
    arguments = {"upstream_url": "http://127.0.0.1:8000", "rules": [], **options}
    with pytest.raises(ValueError, match=re.escape(repr(named))) as raised:
        DelayProxy(**arguments)  # type: ignore[arg-type]
    assert "\n" not in str(raised.value)


def test_stop_closes_every_connection(upstream: Upstream) -> None:
    proxy = DelayProxy(upstream_url=upstream.url, rules=[]).start()
    with closing(connect(proxy)) as conn:
        assert call(conn, "GET", "/kept-alive")[0] == 200
        started = time.monotonic()
        proxy.stop()
        assert time.monotonic() - started < 1.0
        assert conn.sock is not None and conn.sock.recv(100) == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(proxy.url.rsplit(":", 1)[1])), timeout=1).close()


def test_bad_rules_and_a_restart_are_refused(upstream: Upstream) -> None:
    with pytest.raises(ValueError, match="delay_ms must be a finite number >= 0, but is -1"):
        DelayRule(-1)
    with pytest.raises(ValueError, match="path_prefix must start with '/', but is 'api'"):
        DelayRule(5, "api")
    proxy = DelayProxy(upstream_url=upstream.url, rules=[]).start()
    proxy.stop()
    with pytest.raises(RuntimeError, match="Cannot start a DelayProxy that is stopped"):
        proxy.start()


# 5. Command line ---------------------------------------------------------------------------------------------------

def _cli(upstream_url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harness.faults.delay_proxy", "--upstream", upstream_url, "--delay-ms", "20",
            "--path-prefix", "/api/", *extra]


def _first_line(stream: object, timeout_s: float = 10.0) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline().decode()), daemon=True)  # type: ignore
    reader.start()
    reader.join(timeout_s)
    assert lines, "no line within the timeout"
    return lines[0]


def test_cli_prints_its_url_delays_and_stops_on_sigterm(upstream: Upstream) -> None:
    with subprocess.Popen(_cli(upstream.url), cwd=ROOT, stdout=subprocess.PIPE) as process:
        try:
            match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", _first_line(process.stdout))
            assert match
            with closing(http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=5)) as conn:
                assert call(conn, "GET", "/api/x")[3] >= 20
                assert call(conn, "GET", "/x")[3] < 20
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()


# The second case turns the parent-death signal off, to show the getppid() check on its own.
WITHOUT_PDEATHSIG = ("import sys; from harness.faults import delay_proxy as p; p._die_with_parent = lambda _sig: None; "
                     "sys.exit(p.main(sys.argv[1:]))")


@pytest.mark.parametrize("prctl", [True, False], ids=["pdeathsig", "getppid-fallback"])
def test_cli_exits_when_its_parent_dies(upstream: Upstream, prctl: bool) -> None:
    argv = _cli(upstream.url) if prctl else [sys.executable, "-c", WITHOUT_PDEATHSIG, *_cli(upstream.url)[3:]]
    parent_code = ("import subprocess, sys\n"
                   f"child = subprocess.Popen({argv!r}, stdout=subprocess.PIPE)\n"
                   "line = child.stdout.readline().decode()\n"
                   "print(child.pid, line, end='', flush=True)\n"
                   "sys.stdin.read()\n")
    with subprocess.Popen([sys.executable, "-c", parent_code], cwd=ROOT, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as parent:
        pid_text, _listening, _on, url = _first_line(parent.stdout).split()
        assert url.startswith("http://127.0.0.1:")
        proxy_process = psutil.Process(int(pid_text))
        parent.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if proxy_process.status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    else:
        proxy_process.kill()
        pytest.fail("the proxy outlived its parent")


@pytest.mark.parametrize(("argv", "message"), [
    (["--upstream", "http://10.0.0.1:80", "--delay-ms", "5"], "but is 'http://10.0.0.1:80'"),
    (["--upstream", "http://127.0.0.1:80", "--delay-ms", "soon"], "invalid float value: 'soon'"),
    (["--delay-ms", "5"], "the following arguments are required: --upstream"),
    (["--upstream", "http://127.0.0.1:80", "--delay-ms", "-3"], "delay_ms must be a finite number >= 0"),
])
def test_cli_bad_arguments_exit_2_with_one_line(argv: list[str], message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("delay_proxy: error: ") and message in err
