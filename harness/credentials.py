"""The setup phase: a pool of agent credentials, registered through the platform's API.

Agents are rate-limited per key, so one key for every VU would mostly measure 429s (DESIGN.md
§5): the engine registers `size` agents before load and hands their keys to VUs round-robin.
Keys never appear in logs, results or reports (`AgentCredential.__repr__` hides them).
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from harness.errors import SetupError

REGISTER_PATH = "/api/v1/auth/agents/register"
REQUEST_TIMEOUT_S = 10.0
MAX_WAIT_FOR_RATE_LIMIT_S = 60.0


@dataclass(frozen=True)
class AgentCredential:
    agent_id: str
    api_key: str = field(repr=False)
    username: str = ""

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def to_wire(self) -> dict[str, str]:
        return {"agent_id": self.agent_id, "api_key": self.api_key, "username": self.username}

    @classmethod
    def from_wire(cls, data: dict[str, str]) -> AgentCredential:
        return cls(data["agent_id"], data["api_key"], data.get("username", ""))


def registration_body(username: str) -> dict[str, object]:
    return {
        "username": username,
        "framework": "custom",
        "modelProvider": "anthropic",
        "modelName": "claude-haiku-4-5-20251001",
        "specializations": ["environmental_protection"],
        "soulSummary": "Load test agent provisioned by bwperf",
    }


def _post_json(url: str, body: dict[str, object]) -> tuple[int, dict[str, object], dict[str, str]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, {}, dict(error.headers or {})


AGENT_KEYS_ENV = "BWPERF_AGENT_KEYS"


def preprovisioned_agents(env: Mapping[str, str]) -> list[AgentCredential]:
    """Agent keys handed in by `BWPERF_AGENT_KEYS` (comma- or space-separated), e.g. from CI
    secrets for a staging whose registration limits would stop the setup phase. The keys stay in
    memory: the result records only how many there were."""
    keys = [key for key in re.split(r"[\s,]+", env.get(AGENT_KEYS_ENV, "")) if key]
    return [AgentCredential(f"preprovisioned-{index}", key, "") for index, key in enumerate(keys)]


def agent_pool(*, target: str, size: int, run_tag: str, env: Mapping[str, str]) -> list[AgentCredential]:
    """The run's credential pool: the pre-provisioned keys when given (all of them, whatever
    `size`), else `size` agents registered now."""
    given = preprovisioned_agents(env)
    if given:
        return given
    return provision_agents(target=target, size=size, run_tag=run_tag) if size else []


def provision_agents(
    *,
    target: str,
    size: int,
    run_tag: str,
    post: Callable[[str, dict[str, object]], tuple[int, dict[str, object], dict[str, str]]] = _post_json,
    sleep: Callable[[float], None] = time.sleep,
) -> list[AgentCredential]:
    """Register `size` agents; waits out 429s (Retry-After) up to a bounded total time."""
    url = target.rstrip("/") + REGISTER_PATH
    pool: list[AgentCredential] = []
    waited_s = 0.0
    attempts = 0
    while len(pool) < size:
        attempts += 1
        if attempts > size * 3 + 10:
            raise SetupError(f"setup: gave up registering agents at {url} after {attempts - 1} attempts")
        username = f"bwperf-{run_tag}-{len(pool)}-{secrets.token_hex(3)}"
        try:
            status, body, headers = post(url, registration_body(username))
        except OSError as error:
            raise SetupError(f"setup: cannot register agents at {url}: {error}") from error
        if status == 201 and isinstance(body.get("apiKey"), str):
            pool.append(AgentCredential(str(body.get("agentId", "")), str(body["apiKey"]), username))
            continue
        if status == 429:
            delay_s = _retry_after_s(headers)
            if waited_s + delay_s > MAX_WAIT_FOR_RATE_LIMIT_S:
                raise SetupError(
                    f"setup: registration at {url} is rate-limited (429) after {len(pool)} of {size} "
                    "agents; start the platform with the 'loadtest' rate-limit profile or lower setup.agents"
                )
            sleep(delay_s)
            waited_s += delay_s
            continue
        raise SetupError(f"setup: POST {url} answered {status}, expected 201 with an apiKey")
    return pool


def _retry_after_s(headers: dict[str, str]) -> float:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.1, min(float(value), 30.0))
            except ValueError:
                break
    return 1.0
