"""The API's HTTP connections: a request-head deadline, JSON for unparsable requests, clean closes.

aiohttp's server has no header-read timeout: a client that opens a connection and sends its
request head a byte at a time (slowloris), or never finishes it, holds a socket and a file handle
for as long as it likes. `GuardedRequestHandler` is aiohttp's own `RequestHandler` with:

- a head deadline: from the moment a connection opens, or from the first byte of a later request
  on a kept-alive connection, the whole request head must arrive within `header_timeout_s`, or
  the connection is closed. Between requests, aiohttp's `keepalive_timeout` closes idle ones;
- requests aiohttp cannot parse (bad Content-Length, invalid bytes in the target, ...) answered
  400 with the API's usual error JSON and one log line, not a logged traceback;
- a connection whose body failed to decode (bad gzip, cut off) closed right after the answer,
  instead of aiohttp draining a body that can only raise again; and a client that hangs up
  while aiohttp drains an unread body ends that body, rather than logging a traceback.

`listen()` starts the listening socket with this protocol on the runner's `Server`; the body
deadline is `app.timeouts.BodyClock`, applied by the views that read bodies.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import structlog
from aiohttp import StreamReader, web
from aiohttp.web_request import BaseRequest

from .errors import ValidationFailed

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# After the answer to an unread body, how long aiohttp still reads and discards it, so the
# client sees the answer rather than a reset; then the connection closes.
LINGER_S = 2.0
_log = structlog.get_logger(logger_name="app.connection")


class GuardedRequestHandler(web.RequestHandler):
    def __init__(self, manager: web.Server, *, header_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._header_timeout_s = header_timeout_s
        # The head deadline is a timestamp; one timer per connection checks it lazily, re-armed
        # only when it fires early, so a busy kept-alive connection does not schedule and cancel
        # a timer per request (that cost ~12 % of a /health request's CPU).
        self._head_deadline: float | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_request = False
        self._last_body: StreamReader | None = None

    # -- the head deadline ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._start_head_deadline()

    def data_received(self, data: bytes) -> None:
        if data and self._head_deadline is None and self._between_requests():
            self._start_head_deadline()  # the first byte of a later request on this connection
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._head_deadline = None
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)
        body, self._last_body = self._last_body, None
        if body is not None and not body.is_eof() and body.exception() is None:
            # aiohttp may still be draining this body after the answer ("lingering"); a client that
            # hangs up meanwhile makes that read raise and log a traceback. The body simply ended.
            body.feed_eof()

    def request_started(self) -> None:
        """The head is complete (a view is about to run): stop the head deadline."""
        self._in_request = True
        self._head_deadline = None

    def request_finished(self, body: StreamReader) -> None:
        self._in_request = False
        self._last_body = body

    def _between_requests(self) -> bool:
        # Not while a view runs, nor while aiohttp drains the rest of the last body after answering.
        return not self._in_request and (self._last_body is None or self._last_body.is_eof())

    def _start_head_deadline(self) -> None:
        if self._header_timeout_s <= 0:
            return
        loop = asyncio.get_running_loop()
        self._head_deadline = loop.time() + self._header_timeout_s
        if self._head_timer is None:
            self._head_timer = loop.call_at(self._head_deadline, self._check_head_deadline)

    def _check_head_deadline(self) -> None:
        self._head_timer = None
        deadline = self._head_deadline
        if deadline is None:
            return  # the head arrived in time; the next request's first byte starts a new one
        loop = asyncio.get_running_loop()
        if loop.time() < deadline:
            self._head_timer = loop.call_at(deadline, self._check_head_deadline)  # a later request's
        elif self._between_requests():
            _log.debug("request head timed out", timeout_s=self._header_timeout_s, peer=str(self.peername))
            self.force_close()
        else:
            self._head_deadline = None  # aiohttp is still draining the last body: the next byte restarts it

    # -- requests aiohttp could not parse, bodies that failed -------------------------------

    def handle_error(self, request: BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if status >= 500:
            return super().handle_error(request, status, exc, message)
        if request.writer.output_size > 0:
            raise ConnectionError("the response is already under way; cannot send the error")
        reason = _first_line(getattr(exc, "message", None) or message or "malformed request")
        _log.info("unparsable request", status=status, reason=reason, remote=request.remote)
        error = ValidationFailed.one("request", reason)
        response = web.json_response(error.body(), status=status)
        response.force_close()
        return response

    async def finish_response(self, request: BaseRequest, resp: web.StreamResponse,
                              start_time: float | None) -> tuple[web.StreamResponse, bool]:
        answered = await super().finish_response(request, resp, start_time)
        if request.content.exception() is not None:
            self.force_close()  # the body is broken: there is nothing left to drain or reuse
        return answered


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "malformed request"


@web.middleware
async def request_head_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Tells the connection when a request is being handled (its head deadline does not apply)."""
    protocol = request.protocol
    guarded = protocol if isinstance(protocol, GuardedRequestHandler) else None
    if guarded is not None:
        guarded.request_started()
    try:
        return await handler(request)
    finally:
        if guarded is not None:
            guarded.request_finished(request.content)


async def listen(runner: web.AppRunner, *, host: str, port: int, header_timeout_s: float,
                 keepalive_timeout_s: float, backlog: int = 1024) -> asyncio.AbstractServer:
    """The listening socket for `runner` (after `runner.setup()`), each connection guarded."""
    server = runner.server
    if server is None:
        raise RuntimeError("call runner.setup() before listen()")
    loop = asyncio.get_running_loop()

    def connection() -> GuardedRequestHandler:
        return GuardedRequestHandler(server, loop=loop, header_timeout_s=header_timeout_s,
                                     keepalive_timeout=keepalive_timeout_s, lingering_time=LINGER_S,
                                     access_log=None)

    return await loop.create_server(connection, host, port, backlog=backlog, reuse_address=True)
