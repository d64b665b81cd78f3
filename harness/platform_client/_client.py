"""The two clients, on httpx: `PlatformClient` (blocking; also under gevent, whose patched sockets
it uses) and `AsyncPlatformClient` (asyncio). Both have one base URL, explicit connect and read
timeouts, follow no redirects (a 3xx is an answer like any other), ignore the environment's proxy,
certificate and .netrc settings (the harness talks to its target directly), and turn every
transport failure into a `PlatformError` naming the method and URL.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import certifi
import httpx

from ._errors import PlatformError, PlatformStatusError, failure, shown_url
from ._routes import Call, Routes

DEFAULT_CONNECT_TIMEOUT_S = 3.0
DEFAULT_READ_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 100
USER_AGENT = "bwperf-platform-client"
# httpcore's trace event once a request's headers are on the wire.
_HEADERS_SENT = "http11.send_request_headers.complete"

# httpx logs every request at INFO: thousands of lines during a reconciliation. Quiet, unless
# the logger was configured on purpose.
if logging.getLogger("httpx").level == logging.NOTSET:
    logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Reply:
    """One answer, read whole. `headers` are httpx's (case-insensitive); `text` and `headers` stay
    out of the repr (a registration's text holds its API key)."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    text: str = field(repr=False)
    elapsed_s: float = 0.0

    @functools.cached_property
    def body(self) -> Any:
        """The parsed JSON, or the text when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return self.text

    def json_object(self) -> dict[str, Any]:
        """The body when it is a JSON object, else {}."""
        return self.body if isinstance(self.body, dict) else {}

    def expect(self, *statuses: int) -> Self:
        """This reply, if its status is one of `statuses`; else `PlatformStatusError`. Redirects are
        not followed (traffic goes only where it was told to), so a 3xx names where it points."""
        if self.status not in statuses:
            wanted = " or ".join(str(status) for status in statuses)
            moved = self.headers.get("location") if 300 <= self.status < 400 else None
            hint = f" (redirected to {shown_url(moved)}: give that URL)" if moved else ""
            raise PlatformStatusError(f"{self.method} {self.url} answered {self.status}, expected {wanted}{hint}",
                                      method=self.method, url=self.url, status=self.status)
        return self


def origin_and_path(url: str) -> tuple[str, str]:
    """('scheme://host:port', '/path?query') of a full URL, for a client on its host."""
    parts = urlsplit(_base_url(url))
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return origin, urlunsplit(("", "", parts.path or "/", parts.query, ""))


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    shown = shown_url(url)
    try:
        parts.port
    except ValueError:
        raise PlatformError(f"platform URL {shown!r} has an invalid port", method="", url=shown) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlatformError(f"platform URL {shown!r} is not an http(s) URL like http://127.0.0.1:4000",
                            method="", url=shown)
    return url


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One context for every client (building one costs ~15 ms; sharing it is safe): the system's
    trust store, which OpenSSL reads from SSL_CERT_FILE / SSL_CERT_DIR when they are set (a staging
    API behind a private CA), as urllib and aiohttp did before; certifi's bundle where the system
    has none."""
    context = ssl.create_default_context()
    if not context.get_ca_certs() and not os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(cafile=certifi.where())
    return context


def _options(base_url: str, *, connect_timeout_s: float, read_timeout_s: float, max_connections: int | None,
             keep_alive: bool) -> dict[str, Any]:
    return {
        "base_url": _base_url(base_url),
        "timeout": httpx.Timeout(connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s,
                                 pool=read_timeout_s),
        "limits": httpx.Limits(max_connections=max_connections,
                               max_keepalive_connections=max_connections if keep_alive else 0),
        "follow_redirects": False,
        "trust_env": False,
        "verify": _tls_context(),
        "headers": {"User-Agent": USER_AGENT},
    }


def _reply(method: str, response: httpx.Response) -> Reply:
    return Reply(method=method, url=shown_url(response.request.url), status=response.status_code,
                 headers=response.headers, text=response.text, elapsed_s=response.elapsed.total_seconds())


class PlatformClient(Routes[Reply]):
    """Blocking calls to one platform process (its base URL). Close it, or use it in `with`.

    `keep_alive=False` opens a new connection per request; `max_connections=None` has no limit."""

    def __init__(self, base_url: str, *, connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                 read_timeout_s: float = DEFAULT_READ_TIMEOUT_S, max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
                 keep_alive: bool = True) -> None:
        self.base_url = base_url
        self._http = httpx.Client(**_options(base_url, connect_timeout_s=connect_timeout_s,
                                             read_timeout_s=read_timeout_s, max_connections=max_connections,
                                             keep_alive=keep_alive))

    def _send(self, call: Call) -> Reply:
        request = self._http.build_request(call.method, call.path, params=call.params, json=call.json,
                                           content=call.content, headers=call.headers)  # type: ignore[arg-type]
        try:
            response = self._http.send(request)
        except httpx.HTTPError as error:
            raise failure(call.method, request.url, error, self._http.timeout) from None
        return _reply(call.method, response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PlatformClient({shown_url(self.base_url)!r})"


class AsyncPlatformClient(Routes[Awaitable[Reply]]):
    """The same calls for asyncio (`await client.health()`). `on_request_sent` is called in the
    calling task once a request's headers are on the wire (a fault load times its requests by it)."""

    def __init__(self, base_url: str, *, connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                 read_timeout_s: float = DEFAULT_READ_TIMEOUT_S, max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
                 keep_alive: bool = True, on_request_sent: Callable[[], None] | None = None) -> None:
        self.base_url = base_url
        self._on_request_sent = on_request_sent
        self._http = httpx.AsyncClient(**_options(base_url, connect_timeout_s=connect_timeout_s,
                                                  read_timeout_s=read_timeout_s, max_connections=max_connections,
                                                  keep_alive=keep_alive))

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event == _HEADERS_SENT and self._on_request_sent is not None:
            self._on_request_sent()

    async def _send(self, call: Call) -> Reply:
        extensions = {"trace": self._trace} if self._on_request_sent is not None else None
        request = self._http.build_request(call.method, call.path, params=call.params, json=call.json,
                                           content=call.content, headers=call.headers,  # type: ignore[arg-type]
                                           extensions=extensions)
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as error:
            raise failure(call.method, request.url, error, self._http.timeout) from None
        return _reply(call.method, response)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncPlatformClient({shown_url(self.base_url)!r})"
