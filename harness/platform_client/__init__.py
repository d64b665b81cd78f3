"""One HTTP client for everything the harness says to the platform outside the load path: setup
(agent credentials), reconciliation, /metrics sampling, stack and lab health checks, the tour,
the fault scenarios and the LLM emulator's admin endpoints. The load itself stays on Locust's
FastHttpUser (harness.engine.vu).

    with PlatformClient("http://127.0.0.1:4000") as client:
        key = client.register_agent("agent-1").expect(201).json_object()["apiKey"]
        client.heartbeat(api_key=key).expect(200)

    async with AsyncPlatformClient(url) as client:
        reply = await client.ready()

A call returns a `Reply` whatever its status (`Reply.expect(...)` says what was wanted) and raises
a `PlatformError` when no answer came; see `_errors` for the tree. Request bodies are built in
one place (`registration_body`, `problem_body`); messages and reprs never show a key, a password
or a URL's credentials.
"""

from ._api import (
    API,
    DOMAIN,
    HEARTBEAT_PATH,
    PROBLEMS_PATH,
    REGISTER_PATH,
    SAN_FRANCISCO,
    evidence_path,
    problem_body,
    problem_path,
    registration_body,
)
from ._client import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_READ_TIMEOUT_S,
    AsyncPlatformClient,
    PlatformClient,
    Reply,
    origin_and_path,
)
from ._errors import (
    PlatformDisconnected,
    PlatformError,
    PlatformStatusError,
    PlatformTimeout,
    PlatformUnreachable,
    shown_url,
)

__all__ = [
    "API",
    "DEFAULT_CONNECT_TIMEOUT_S",
    "DEFAULT_READ_TIMEOUT_S",
    "DOMAIN",
    "HEARTBEAT_PATH",
    "PROBLEMS_PATH",
    "REGISTER_PATH",
    "SAN_FRANCISCO",
    "AsyncPlatformClient",
    "PlatformClient",
    "PlatformDisconnected",
    "PlatformError",
    "PlatformStatusError",
    "PlatformTimeout",
    "PlatformUnreachable",
    "Reply",
    "evidence_path",
    "origin_and_path",
    "problem_body",
    "problem_path",
    "registration_body",
    "shown_url",
]
