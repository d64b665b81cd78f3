"""A loopback HTTP/1.1 reverse proxy that adds a fixed delay to chosen requests.

It injects a known latency regression ("+10 ms on every /api/ request") between a load generator
and the API under test. It shares the machine with the measurement, so it is written on plain
asyncio streams to keep its own CPU small. Per client connection it reads a request head (at most
64 KiB, else 431), takes the delay of the first matching `DelayRule`, sleeps once, forwards the
request over an upstream connection of its own (opened on the first request, kept alive) and relays
the response as it comes: by Content-Length, chunk by chunk (trailers included), or until the
upstream closes. Bodies pass in pieces of at most 64 KiB, never whole. Both hosts must be loopback.

It is one module (longer than most here) so that it can be read, and copied into a benchmark, as a
whole: HTTP/1.1 framing, the per-connection relay, the thread wrapper for sync callers, the CLI.

    with DelayProxy(upstream_url="http://127.0.0.1:8000", rules=[DelayRule(10.0, "/api/")]) as proxy:
        run_load(proxy.url)

    python -m harness.faults.delay_proxy --upstream http://127.0.0.1:8000 --delay-ms 10 --path-prefix /api/
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import logging
import math
import os
import signal
import sys
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import NoReturn, Sequence
from urllib.parse import urlsplit

from harness.lifeline import set_parent_death_signal

__all__ = ["LOOPBACK_HOSTS", "MAX_HEAD_BYTES", "DelayProxy", "DelayRule", "delay_for_s", "main"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_HEAD_BYTES = 64 * 1024      # a larger request head is answered 431; a larger response head 502
_PIECE_BYTES = 64 * 1024        # bodies are relayed in pieces of at most this size
_INLINE_BODY_BYTES = 16 * 1024  # a body up to this size goes out in the same write as its head
_LINGER_S = 1.0                 # after an error answer, how long the client may still send before we close
_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DelayRule:
    """Delay requests whose path starts with `path_prefix` (and whose method is `method`, when set)."""

    delay_ms: float
    path_prefix: str = "/"
    method: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.delay_ms, (int, float)) and math.isfinite(self.delay_ms) and self.delay_ms >= 0):
            raise ValueError(f"DelayRule.delay_ms must be a finite number >= 0, but is {self.delay_ms!r}")
        if not self.path_prefix.startswith("/"):
            raise ValueError(f"DelayRule.path_prefix must start with '/', but is {self.path_prefix!r}")
        if self.method is not None:
            if not (self.method.isascii() and self.method.replace("-", "").replace("_", "").isalnum()):
                raise ValueError(f"DelayRule.method must be an HTTP method such as 'GET', but is {self.method!r}")
            object.__setattr__(self, "method", self.method.upper())

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (self.method is None or self.method == method)


def delay_for_s(rules: Sequence[DelayRule], method: str, path: str) -> float:
    """The delay of the first rule matching `method` and `path` (query stripped), else 0."""
    for rule in rules:
        if rule.matches(method, path):
            return rule.delay_ms / 1000.0
    return 0.0


def _path_of(target: str) -> str:
    if target.startswith("/"):
        return target.split("?", 1)[0]
    if "://" in target:  # absolute form
        return urlsplit(target).path or "/"
    return target  # "*" or authority form


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "connection closed before a response"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class _BadMessage(Exception):
    """A head or chunked body that cannot be framed; the text says what was wrong."""


class _UpstreamFailed(Exception):
    """The upstream refused, reset or closed before a usable response head."""


@dataclass(slots=True)
class _Head:
    raw: bytes
    start: list[str]            # request: method, target, version; response: version, status[, reason]
    status: int                 # 0 for a request
    content_length: int | None
    chunked: bool               # Transfer-Encoding ends in chunked
    other_coding: bool          # Transfer-Encoding given but not ending in chunked
    close: bool                 # the sender ends the connection after this message
    expect_continue: bool


def _parse_head(raw: bytes, *, response: bool) -> _Head:
    lines = raw.decode("latin-1").split("\r\n")
    start = lines[0].split(" ", 2)
    version = start[0] if response else start[-1]
    if len(start) < (2 if response else 3) or not version.startswith("HTTP/1."):
        raise _BadMessage(f"malformed start line {lines[0][:80]!r}")
    status = 0
    if response:
        if not (start[1].isdigit() and len(start[1]) == 3):
            raise _BadMessage(f"malformed status line {lines[0][:80]!r}")
        status = int(start[1])
    content_length: int | None = None
    codings, tokens, expect_continue = "", "", False
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise _BadMessage(f"malformed header line {line[:80]!r}")
        name = name.lower()
        if name == "content-length":
            value = value.strip()
            if not value.isdigit() or (content_length is not None and int(value) != content_length):
                raise _BadMessage(f"bad Content-Length {value[:40]!r}")
            content_length = int(value)
        elif name == "transfer-encoding":
            codings += "," + value.lower()
        elif name == "connection":
            tokens += "," + value.lower()
        elif name == "expect":
            expect_continue = value.strip().lower() == "100-continue"
    coding_list = [c.strip() for c in codings.split(",") if c.strip()]
    chunked = bool(coding_list) and coding_list[-1] == "chunked"
    token_set = {t.strip() for t in tokens.split(",")}
    close = "close" in token_set or (version == "HTTP/1.0" and "keep-alive" not in token_set)
    return _Head(raw, start, status, content_length, chunked, bool(coding_list) and not chunked, close,
                 expect_continue)


async def _read(reader: asyncio.StreamReader, size: int, timeout_s: float | None) -> bytes:
    if timeout_s is None:
        return await reader.read(size)
    async with asyncio.timeout(timeout_s):
        return await reader.read(size)


async def _read_line(reader: asyncio.StreamReader, timeout_s: float | None) -> bytes:
    if timeout_s is None:
        return await reader.readuntil(b"\r\n")
    async with asyncio.timeout(timeout_s):
        return await reader.readuntil(b"\r\n")


async def _relay_length(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, length: int,
                        timeout_s: float | None = None) -> None:
    while length > 0:
        piece = await _read(reader, min(length, _PIECE_BYTES), timeout_s)
        if not piece:
            raise asyncio.IncompleteReadError(b"", length)
        writer.write(piece)
        length -= len(piece)
        await writer.drain()


async def _relay_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         timeout_s: float | None = None) -> None:
    """Relay a chunked body as it comes: each chunk, the last chunk, then the trailer section."""
    while True:
        line = await _read_line(reader, timeout_s)
        try:
            size = int(line.split(b";", 1)[0], 16)
        except ValueError:
            raise _BadMessage(f"malformed chunk size line {line[:40]!r}") from None
        if size < 0:
            raise _BadMessage(f"malformed chunk size line {line[:40]!r}")
        writer.write(line)
        if size == 0:
            break
        await _relay_length(reader, writer, size + 2, timeout_s)  # the data and its CRLF
    while True:  # trailer fields, ended by an empty line
        line = await _read_line(reader, timeout_s)
        writer.write(line)
        if line == b"\r\n":
            break
    await writer.drain()


async def _relay_until_eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while piece := await reader.read(_PIECE_BYTES):
        writer.write(piece)
        await writer.drain()


@dataclass(frozen=True)
class _Settings:
    upstream_host: str
    upstream_port: int
    rules: tuple[DelayRule, ...]
    max_connections: int
    idle_timeout_s: float


class _Relay:
    """The asyncio side: serves each accepted client connection; lives in the proxy's loop."""

    def __init__(self, settings: _Settings) -> None:
        self.settings = settings
        self.rules = settings.rules  # replaced whole by DelayProxy.set_rules (one reference swap)
        self.clients = 0
        self.delayed = 0
        self.forwarded = 0
        self.tasks: set[asyncio.Task[None]] = set()

    def accept(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        # A task of our own, not the one asyncio.start_server would make of a coroutine: Python 3.11
        # logs a traceback when that one ends cancelled, as every connection does on stop().
        task = asyncio.get_running_loop().create_task(self.serve(creader, cwriter))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def serve(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        if self.clients >= self.settings.max_connections:
            cwriter.close()
            return
        self.clients += 1
        session = _Session(self, creader, cwriter)
        try:
            while (request := await session.read_request()) is not None and await session.exchange(request):
                pass
        except (OSError, EOFError, asyncio.LimitOverrunError, _BadMessage):
            pass  # a peer went away or broke the framing mid-message: nothing more can be said on it
        except Exception:  # noqa: BLE001 - one connection must not take the proxy down
            _log.exception("delay proxy: connection failed")
        finally:
            self.clients -= 1
            session.close()


class _Session:
    """One client connection and the upstream connection opened for it on its first request."""

    def __init__(self, relay: _Relay, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        self._relay = relay
        self._settings = relay.settings
        self._creader, self._cwriter = creader, cwriter
        self._ureader: asyncio.StreamReader | None = None
        self._uwriter: asyncio.StreamWriter | None = None
        self._upload: asyncio.Task[None] | None = None  # the request body still on its way upstream

    async def read_request(self) -> _Head | None:
        """The next request head, or None when the client is gone, idle too long or refused."""
        try:
            async with asyncio.timeout(self._settings.idle_timeout_s):
                raw = await self._creader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            await self._refuse(431, "Request Header Fields Too Large", f"request head exceeds {MAX_HEAD_BYTES} bytes")
            return None
        except (EOFError, OSError):  # closed, reset, or idle past the timeout (TimeoutError)
            return None
        try:
            request = _parse_head(raw.lstrip(b"\r\n"), response=False)
        except _BadMessage as exc:
            await self._refuse(400, "Bad Request", str(exc))
            return None
        if request.other_coding:
            await self._refuse(501, "Not Implemented", "request Transfer-Encoding must end in chunked")
            return None
        return request

    async def exchange(self, request: _Head) -> bool:
        """Delay, forward `request` and relay its response; True if the connection serves another."""
        method, target = request.start[0], request.start[1]
        delay_s = delay_for_s(self._relay.rules, method, _path_of(target))  # read per request: set_rules applies at once
        if delay_s > 0:
            self._relay.delayed += 1
            await asyncio.sleep(delay_s)
        length = 0 if request.chunked else (request.content_length or 0)
        streamed = request.chunked or length > _INLINE_BODY_BYTES or request.expect_continue
        payload = request.raw
        if length and not streamed:
            async with asyncio.timeout(self._settings.idle_timeout_s):
                payload += await self._creader.readexactly(length)
        retry = not streamed and method in _IDEMPOTENT_METHODS
        try:
            reused = await self._connect_upstream(fresh=False)
            self._send(payload)
            self._relay.forwarded += 1
            if streamed:
                self._upload = self._start_upload(request)
            try:
                keep = await self._relay_response(method)
            except _UpstreamFailed:
                if not (retry and reused):
                    raise
                await self._connect_upstream(fresh=True)  # the kept-alive connection had just been closed
                self._send(payload)
                keep = await self._relay_response(method)
        except _UpstreamFailed as exc:
            self._close_upstream()
            host, port = self._settings.upstream_host, self._settings.upstream_port
            await self._refuse(502, "Bad Gateway", f"upstream {host}:{port} failed: {exc}")
            return False
        upload, self._upload = self._upload, None
        if upload is not None and not (upload.done() and not upload.cancelled() and upload.exception() is None):
            upload.cancel()  # the upstream answered before taking the whole body
            keep = False
        return keep and not request.close

    async def _connect_upstream(self, *, fresh: bool) -> bool:
        """Open the upstream connection unless a usable one is open; True if one was reused."""
        if not fresh and self._ureader is not None and self._uwriter is not None:
            if not (self._ureader.at_eof() or self._uwriter.is_closing()):
                return True
        self._close_upstream()
        try:
            self._ureader, self._uwriter = await asyncio.open_connection(
                self._settings.upstream_host, self._settings.upstream_port, limit=MAX_HEAD_BYTES)
        except OSError as exc:
            raise _UpstreamFailed(_describe(exc)) from None
        return False

    def _send(self, payload: bytes) -> None:
        assert self._uwriter is not None
        self._uwriter.write(payload)

    def _start_upload(self, request: _Head) -> asyncio.Task[None]:
        """Stream the request body to the upstream while its response is being read."""
        uwriter, timeout_s = self._uwriter, self._settings.idle_timeout_s
        assert uwriter is not None
        if request.chunked:
            task = asyncio.create_task(_relay_chunked(self._creader, uwriter, timeout_s))
        else:
            task = asyncio.create_task(_relay_length(self._creader, uwriter, request.content_length or 0, timeout_s))

        def on_done(done: asyncio.Task[None]) -> None:
            if not done.cancelled() and done.exception() is not None:
                uwriter.transport.abort()  # the client broke off mid-body: end the exchange on both sides

        task.add_done_callback(on_done)
        return task

    async def _relay_response(self, method: str) -> bool:
        """Relay the upstream's response to the client; True if both connections stay open."""
        ureader, cwriter = self._ureader, self._cwriter
        assert ureader is not None
        while True:
            try:
                response = _parse_head(await ureader.readuntil(b"\r\n\r\n"), response=True)
            except (OSError, EOFError, asyncio.LimitOverrunError, _BadMessage) as exc:
                raise _UpstreamFailed(_describe(exc)) from None
            if response.status >= 200 or response.status == 101:
                break
            cwriter.write(response.raw)  # 100 Continue, 103 Early Hints
        if response.status == 101:
            cwriter.write(response.raw)
            await self._tunnel()
            return False
        keep, length = not response.close, response.content_length
        if method == "HEAD" or response.status in (204, 304):
            cwriter.write(response.raw)
        elif response.chunked:
            cwriter.write(response.raw)
            await _relay_chunked(ureader, cwriter)
        elif length is not None and not response.other_coding and length <= _INLINE_BODY_BYTES:
            cwriter.write(response.raw + await ureader.readexactly(length))
        elif length is not None and not response.other_coding:
            cwriter.write(response.raw)
            await _relay_length(ureader, cwriter, length)
        else:  # the body ends when the upstream closes
            cwriter.write(response.raw)
            await _relay_until_eof(ureader, cwriter)
            keep = False
        await cwriter.drain()
        return keep

    async def _tunnel(self) -> None:
        """After 101 Switching Protocols: pipe bytes both ways until either side closes."""
        assert self._ureader is not None and self._uwriter is not None
        pipes = [asyncio.create_task(_relay_until_eof(self._creader, self._uwriter)),
                 asyncio.create_task(_relay_until_eof(self._ureader, self._cwriter))]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)

    async def _refuse(self, status: int, reason: str, text: str) -> None:
        """Answer `status` with a one-line text body, then let the client finish sending, briefly."""
        body = (text + "\n").encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("latin-1")
        try:
            self._cwriter.write(head + body)
            await self._cwriter.drain()
            self._cwriter.write_eof()
            async with asyncio.timeout(_LINGER_S):  # closing with unread input would reset the answer away
                while await self._creader.read(_PIECE_BYTES):
                    pass
        except (OSError, EOFError):
            pass

    def _close_upstream(self) -> None:
        if self._upload is not None:
            self._upload.cancel()
            self._upload = None
        if self._uwriter is not None:
            self._uwriter.close()
        self._ureader = self._uwriter = None

    def close(self) -> None:
        self._close_upstream()
        self._cwriter.close()


def _check_settings(*, upstream_url: str, rules: Sequence[DelayRule], listen_host: str, listen_port: int,
                    max_connections: int, idle_timeout_s: float) -> _Settings:
    """The settings, or ValueError listing every problem on one line."""
    problems: list[str] = []
    parts = urlsplit(upstream_url)
    try:
        upstream_port = parts.port or 80
    except ValueError:
        upstream_port = 0
        problems.append(f"upstream_url has a bad port: {upstream_url!r}")
    if parts.scheme != "http" or not parts.hostname:
        problems.append(f"upstream_url must be http://HOST:PORT, but is {upstream_url!r}")
    elif parts.hostname not in LOOPBACK_HOSTS:
        problems.append(f"upstream_url host must be loopback (127.0.0.1, localhost, ::1), but is {upstream_url!r}")
    elif parts.path not in ("", "/") or parts.query:
        problems.append(f"upstream_url must have no path or query, but is {upstream_url!r}")
    if listen_host not in LOOPBACK_HOSTS:
        problems.append(f"listen_host must be loopback (127.0.0.1, localhost, ::1), but is {listen_host!r}")
    if not 0 <= listen_port <= 65535:
        problems.append(f"listen_port must be in 0..65535, but is {listen_port}")
    if max_connections < 1:
        problems.append(f"max_connections must be >= 1, but is {max_connections}")
    if not idle_timeout_s > 0:
        problems.append(f"idle_timeout_s must be > 0, but is {idle_timeout_s}")
    problems += [f"rules[{i}] must be a DelayRule, but is {r!r}" for i, r in enumerate(rules)
                 if not isinstance(r, DelayRule)]
    if problems:
        raise ValueError("; ".join(problems))
    return _Settings(parts.hostname or "", upstream_port, tuple(rules), max_connections, idle_timeout_s)


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


class DelayProxy:
    """Runs in a daemon thread with its own event loop, so sync callers (benchmarks, pytest) can use it."""

    def __init__(self, *, upstream_url: str, rules: Sequence[DelayRule], listen_host: str = "127.0.0.1",
                 listen_port: int = 0, max_connections: int = 1000, idle_timeout_s: float = 60.0) -> None:
        settings = _check_settings(upstream_url=upstream_url, rules=rules, listen_host=listen_host,
                                   listen_port=listen_port, max_connections=max_connections,
                                   idle_timeout_s=idle_timeout_s)
        self._relay = _Relay(settings)
        self._listen_host = "127.0.0.1" if listen_host == "localhost" else listen_host
        self._listen_port = listen_port
        self._state = _State.NEW
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._port: int | None = None
        self._error: BaseException | None = None

    def start(self) -> DelayProxy:
        """Listen and serve in a daemon thread; returns once listening, raises OSError if it cannot."""
        if self._state is not _State.NEW:
            raise RuntimeError(f"Cannot start a DelayProxy that is {self._state.value}; create a new one.")
        self._state = _State.RUNNING
        self._thread = threading.Thread(target=self._run, name="delay-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            self.stop()
            raise RuntimeError(f"DelayProxy did not start listening within {_START_TIMEOUT_S:g} s")
        if self._error is not None:
            self._state = _State.STOPPED
            self._thread.join(_STOP_TIMEOUT_S)
            raise self._error
        return self

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("DelayProxy is not listening; call start() first.")
        host = f"[{self._listen_host}]" if ":" in self._listen_host else self._listen_host
        return f"http://{host}:{self._port}"

    def set_rules(self, rules: Sequence[DelayRule]) -> None:
        """Change the delays while running (the next request reads them): one proxy, and so one
        target URL, for the runs before and after a regression is injected."""
        bad = [f"rules[{i}] must be a DelayRule, but is {r!r}" for i, r in enumerate(rules) if not isinstance(r, DelayRule)]
        if bad:
            raise ValueError("; ".join(bad))
        self._relay.rules = tuple(rules)

    @property
    def requests_delayed(self) -> int:
        return self._relay.delayed

    @property
    def requests_forwarded(self) -> int:
        return self._relay.forwarded

    def stop(self) -> None:
        """Close the listener and every connection, then join the thread (for at most a few seconds)."""
        if self._state is not _State.RUNNING:
            self._state = _State.STOPPED
            return
        self._state = _State.STOPPED
        if self._loop is not None and self._stop_event is not None:
            try:
                self._loop.call_soon_threadsafe(self._stop_event.set)
            except RuntimeError:
                pass  # the loop has already ended
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT_S)

    def __enter__(self) -> DelayProxy:
        return self if self._state is _State.RUNNING else self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve())
            loop.run_until_complete(loop.shutdown_default_executor())
        except BaseException as exc:  # noqa: BLE001 - handed to start()
            self._error = exc
        finally:
            loop.close()
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop_event = asyncio.get_running_loop(), asyncio.Event()
        try:
            server = await asyncio.start_server(self._relay.accept, self._listen_host, self._listen_port,
                                                limit=MAX_HEAD_BYTES, backlog=1024)
        except OSError as exc:
            self._error = OSError(exc.errno, f"cannot listen on {self._listen_host}:{self._listen_port}: "
                                             f"{exc.strerror or exc}")
            return
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            tasks = list(self._relay.tasks)
            for task in tasks:
                task.cancel()  # each connection's task closes its own sockets on the way out
            if tasks:
                await asyncio.wait(tasks, timeout=_STOP_TIMEOUT_S / 2)
            await asyncio.sleep(0)  # let the closing transports finish


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m harness.faults.delay_proxy`: serve until SIGTERM/SIGINT or until the parent dies."""
    parser = _OneLineParser(prog="delay_proxy", description="Delay chosen HTTP requests on their way upstream.")
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of the API under test")
    parser.add_argument("--delay-ms", type=float, required=True, help="delay added to each matching request")
    parser.add_argument("--path-prefix", default="/", help="delay only requests whose path starts with this")
    parser.add_argument("--method", default=None, help="delay only requests with this method")
    parser.add_argument("--listen-port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    try:
        rule = DelayRule(delay_ms=args.delay_ms, path_prefix=args.path_prefix, method=args.method)
        proxy = DelayProxy(upstream_url=args.upstream, rules=[rule], listen_port=args.listen_port)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _sig, _frame: stop.set())
    parent_pid = os.getppid()
    set_parent_death_signal(signal.SIGTERM)  # and the getppid() check below
    try:
        proxy.start()
    except OSError as exc:
        print(f"delay_proxy: error: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        print(f"listening on {proxy.url}", flush=True)
        while not stop.wait(0.5) and os.getppid() == parent_pid:
            pass
    finally:
        proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
