"""Body read deadlines: a request body must keep arriving, or the request ends with 408.

A body gets `grace_s` seconds of waiting, plus one second for every `min_rate_bytes_per_s` bytes
it delivers; only the time a view spends waiting on a read counts, so a view that queries the
database before it reads the body costs the client nothing. A client at or above the minimum
rate is never cut off (the size limits end it); a trickle of a few bytes a second is cut off
after about `grace_s`. The request-head deadline lives in `app.connection`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, TypeVar

from .errors import RequestTimeout

T = TypeVar("T")


class BodyClock:
    """The read budget of one request body."""

    def __init__(self, *, grace_s: float, min_rate_bytes_per_s: int) -> None:
        self._budget_s = grace_s
        self._grace_s = grace_s
        self._min_rate = min_rate_bytes_per_s

    async def read(self, pending: Awaitable[T]) -> T:
        """`pending` (a read of the body), refused with 408 once the budget is spent."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(max(self._budget_s, 0.0)):
                return await pending
        except TimeoutError:
            raise RequestTimeout(
                f"the request body arrived too slowly: allow {self._grace_s:g} s, then at least "
                f"{self._min_rate} bytes per second",
                details={"graceSeconds": self._grace_s, "minBytesPerSecond": self._min_rate},
            ) from None
        finally:
            self._budget_s -= time.monotonic() - started

    def received(self, size_bytes: int) -> None:
        """Credit `size_bytes` that arrived: each `min_rate_bytes_per_s` bytes buy one more second."""
        self._budget_s += size_bytes / self._min_rate
