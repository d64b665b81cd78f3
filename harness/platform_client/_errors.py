"""The client's errors. Every failed call becomes one of these, with a one-line message that names
the method and the URL, and never a header, a body, an API key or a password.

    TargetError (harness.errors)      exit 2
    └── PlatformError                 a call failed (also an OSError, as urllib's and requests'
        │                             errors are: code that treats a network failure as an
        │                             OSError keeps working)
        ├── PlatformUnreachable       nothing accepts connections there (refused, unknown host)
        ├── PlatformTimeout           no connection, or no answer, within the client's timeouts
        ├── PlatformDisconnected      the connection broke before the answer was complete
        └── PlatformStatusError       an answer, with a status the caller did not expect (`status`)

`PlatformError` itself is raised for what is none of these: a base URL that is not http(s), a
request httpx refuses to send.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

from harness.errors import TargetError


class PlatformError(TargetError, OSError):
    """A call to the platform failed; `method` and `url` (credentials removed) say which."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class PlatformUnreachable(PlatformError):
    """Nothing accepts connections at the URL's host and port."""


class PlatformTimeout(PlatformError):
    """No connection, or no (complete) answer, within the client's timeouts."""


class PlatformDisconnected(PlatformError):
    """The connection broke, or the answer was not valid HTTP."""


class PlatformStatusError(PlatformError):
    """The platform answered with a status the caller did not expect."""

    def __init__(self, message: str, *, method: str, url: str, status: int) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status


def shown_url(url: str | httpx.URL) -> str:
    """The URL as messages show it: any `user:password@` replaced by `***@`."""
    parts = urlsplit(str(url))
    if "@" not in parts.netloc:
        return str(url)
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def failure(method: str, url: httpx.URL, error: httpx.HTTPError, timeout: httpx.Timeout) -> PlatformError:
    """The harness's error for an httpx failure."""
    kind, reason = _classify(error, url, timeout)
    return kind(f"{method} {shown_url(url)}: {reason}", method=method, url=shown_url(url))


def _classify(error: httpx.HTTPError, url: httpx.URL, timeout: httpx.Timeout) -> tuple[type[PlatformError], str]:
    """(error class, reason). Only socket-level reasons (refused, unknown host) are quoted: a
    protocol error's text may repeat a header, so only its kind is named."""
    if isinstance(error, httpx.ConnectTimeout):
        return PlatformTimeout, f"no connection within {timeout.connect:g} s"
    if isinstance(error, httpx.ReadTimeout):
        return PlatformTimeout, f"no answer within {timeout.read:g} s"
    if isinstance(error, httpx.WriteTimeout):
        return PlatformTimeout, f"could not send the request within {timeout.write:g} s"
    if isinstance(error, httpx.PoolTimeout):
        return PlatformTimeout, f"no free connection within {timeout.pool:g} s"
    if isinstance(error, httpx.ConnectError):
        port = url.port or (443 if url.scheme == "https" else 80)
        return PlatformUnreachable, f"cannot connect to {url.host}:{port} ({str(error) or type(error).__name__})"
    if isinstance(error, (httpx.RemoteProtocolError, httpx.NetworkError)):
        return PlatformDisconnected, f"the connection broke before the answer was complete ({type(error).__name__})"
    return PlatformError, f"the request failed ({type(error).__name__})"
