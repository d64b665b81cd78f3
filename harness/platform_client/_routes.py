"""Every call the harness makes to the platform, typed, written once for both clients.

`Routes[R]` builds a `Call` per method and hands it to `_send`: the sync client's returns a
`Reply`, the async client's an awaitable of one. A method never raises for a status: the caller
decides what it expected (`Reply.expect`).
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._api import (
    EMULATOR_FAULTS_PATH,
    EMULATOR_LATENCY_PATH,
    HEALTH_PATH,
    HEARTBEAT_PATH,
    LOGIN_PATH,
    METRICS_PATH,
    NEARBY_MISSIONS_PATH,
    OPENAPI_PATH,
    PROBLEMS_PATH,
    READY_PATH,
    REFRESH_PATH,
    REGISTER_PATH,
    USER_REGISTER_PATH,
    evidence_path,
    problem_path,
    registration_body,
)

R = TypeVar("R")
Content = bytes | Iterable[bytes] | AsyncIterable[bytes]
QueryValue = str | int | float


@dataclass(frozen=True)
class Call:
    """One request, relative to the client's base URL."""

    method: str
    path: str
    params: Mapping[str, QueryValue] | None = None
    json: Any = None
    content: Content | None = None
    headers: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if not self.path.startswith("/") or self.path.startswith("//"):
            raise ValueError(f"a platform call takes a path on the client's host (like /health), not {self.path!r}")


class Routes(ABC, Generic[R]):
    """The platform's endpoints as methods; `api_key` becomes the bearer header of that call only.
    A client (sync or async) supplies `_send`, which turns one `Call` into its reply."""

    @abstractmethod
    def _send(self, call: Call) -> R: ...

    def request(self, method: str, path: str, *, params: Mapping[str, QueryValue] | None = None, json: Any = None,
                content: Content | None = None, headers: Mapping[str, str] | None = None,
                api_key: str | None = None) -> R:
        """Any request on the client's host, for what has no method of its own."""
        if api_key is not None:
            headers = {**(headers or {}), "Authorization": f"Bearer {api_key}"}
        return self._send(Call(method, path, params=params, json=json, content=content, headers=headers))

    # -- operations --------------------------------------------------------------------------

    def health(self) -> R:
        return self.request("GET", HEALTH_PATH)

    def ready(self) -> R:
        return self.request("GET", READY_PATH)

    def metrics(self, *, path: str = METRICS_PATH) -> R:
        """The Prometheus text exposition (`Reply.text`)."""
        return self.request("GET", path)

    def openapi(self) -> R:
        return self.request("GET", OPENAPI_PATH)

    # -- credentials -------------------------------------------------------------------------

    def register_agent(self, username: str) -> R:
        """201 with `agentId` and `apiKey` (shown once)."""
        return self.request("POST", REGISTER_PATH, json=registration_body(username))

    def register_user(self, *, email: str, password: str, display_name: str) -> R:
        return self.request("POST", USER_REGISTER_PATH,
                            json={"email": email, "password": password, "displayName": display_name})

    def login(self, *, email: str, password: str) -> R:
        """200 with `accessToken` and `refreshToken`."""
        return self.request("POST", LOGIN_PATH, json={"email": email, "password": password})

    def refresh(self, refresh_token: str) -> R:
        return self.request("POST", REFRESH_PATH, json={"refreshToken": refresh_token})

    # -- agents, problems, missions ----------------------------------------------------------

    def heartbeat(self, *, api_key: str) -> R:
        return self.request("POST", HEARTBEAT_PATH, api_key=api_key)

    def list_problems(self, *, limit: int = 20, domain: str | None = None, api_key: str | None = None) -> R:
        params: dict[str, QueryValue] = {"limit": limit} if domain is None else {"limit": limit, "domain": domain}
        return self.request("GET", PROBLEMS_PATH, params=params, api_key=api_key)

    def get_problem(self, problem_id: int, *, api_key: str | None = None) -> R:
        return self.request("GET", problem_path(problem_id), api_key=api_key)

    def create_problem(self, body: Mapping[str, Any], *, api_key: str) -> R:
        """202 with `id` and `jobId`; build `body` with `problem_body`."""
        return self.request("POST", PROBLEMS_PATH, json=dict(body), api_key=api_key)

    def nearby_missions(self, *, lat: float, lng: float, radius_km: float, limit: int,
                        api_key: str | None = None) -> R:
        return self.request("GET", NEARBY_MISSIONS_PATH, params={"lat": lat, "lng": lng, "radius": radius_km,
                                                                 "limit": limit}, api_key=api_key)

    def upload_evidence(self, mission_id: int, *, api_key: str, filename: str, media_type: str,
                        data: Content) -> R:
        """A multipart upload of one file (field `file`); `data` may be an (async) iterable of
        chunks, sent as they come (chunked), for slow uploads."""
        content, content_type = multipart(filename=filename, media_type=media_type, data=data)
        return self.request("POST", evidence_path(mission_id), content=content,
                            headers={"Content-Type": content_type}, api_key=api_key)

    # -- the LLM emulator's admin endpoints --------------------------------------------------

    def emulator_reset_faults(self) -> R:
        return self.request("DELETE", EMULATOR_FAULTS_PATH)

    def emulator_set_latency(self, *, distribution: str, median_ms: float) -> R:
        return self.request("POST", EMULATOR_LATENCY_PATH, json={"distribution": distribution, "median_ms": median_ms})


def multipart(*, filename: str, media_type: str, data: Content) -> tuple[Content, str]:
    """(body, Content-Type) of a multipart/form-data body holding one file in the field `file`."""
    boundary = f"bwperf-{secrets.token_hex(12)}"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    if isinstance(data, bytes):
        return head + data + tail, content_type
    if isinstance(data, AsyncIterable):
        return _framed_async(head, data, tail), content_type
    return _framed(head, data, tail), content_type


def _framed(head: bytes, chunks: Iterable[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from chunks
    yield tail


async def _framed_async(head: bytes, chunks: AsyncIterable[bytes], tail: bytes) -> AsyncIterator[bytes]:
    yield head
    async for chunk in chunks:
        yield chunk
    yield tail
