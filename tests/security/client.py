"""A tiny HTTP client for the security tests (urllib: nothing between the test and the wire)."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    text: str
    headers: dict[str, str]


def call(method: str, url: str, *, body: Any = None, raw: bytes | None = None, headers: dict[str, str] | None = None,
         timeout_s: float = 30) -> Answer:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data is not None and raw is None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            status, payload, found = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, payload, found = exc.code, exc.read(), dict(exc.headers)
    text = payload.decode(errors="replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return Answer(status, parsed, text, found)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_agent(base: str) -> tuple[str, str]:
    """(agent id, API key) of a freshly registered agent."""
    answer = call("POST", base + "/api/v1/auth/agents/register", body={
        "username": f"sec-{secrets.token_hex(4)}", "framework": "custom", "modelProvider": "anthropic",
        "modelName": "m", "specializations": [], "soulSummary": ""})
    assert answer.status == 201, answer.text
    return answer.body["agentId"], answer.body["apiKey"]


def new_user(base: str, password: str = "a long enough passphrase 42") -> tuple[dict[str, Any], str, str]:
    """(tokens, email, password) of a freshly registered human."""
    email = f"sec-{secrets.token_hex(4)}@example.org"
    answer = call("POST", base + "/api/v1/auth/register",
                  body={"email": email, "password": password, "displayName": "Security"})
    assert answer.status == 201, answer.text
    return answer.body, email, password
