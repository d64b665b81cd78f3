"""Failure classes of a request: 4xx, 429 (its own class: rate limiting), 5xx, connection
errors, and failed checks (a 2xx/3xx the behaviour marked failed)."""

from __future__ import annotations

from enum import Enum


class FailureClass(str, Enum):
    CLIENT_4XX = "4xx"
    RATE_LIMITED_429 = "429"
    SERVER_5XX = "5xx"
    CONNECTION = "connection"
    CHECK = "check"


# Classes counted by k6's `http_req_failed` (an unexpected response, not a failed check).
HTTP_FAILURE_CLASSES = frozenset(
    {FailureClass.CLIENT_4XX, FailureClass.RATE_LIMITED_429, FailureClass.SERVER_5XX, FailureClass.CONNECTION}
)


def classify(status_code: int | None, failed: bool) -> FailureClass | None:
    """The class of a finished request, or None when it succeeded.

    `failed` is whether the HTTP client reported an exception for it (Locust does for any
    status >= 400, for connection errors, and for a response marked failed by the behaviour).
    """
    code = status_code or 0
    if code == 429:
        return FailureClass.RATE_LIMITED_429
    if 400 <= code < 500:
        return FailureClass.CLIENT_4XX
    if code >= 500:
        return FailureClass.SERVER_5XX
    if code == 0:
        return FailureClass.CONNECTION if failed else None
    return FailureClass.CHECK if failed else None
