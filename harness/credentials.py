"""The setup phase: a pool of agent credentials, registered through the platform's API.

Agents are rate-limited per key, so one key for every VU would mostly measure 429s (DESIGN.md
§5): the engine registers `size` agents before load and hands their keys to VUs round-robin.
Keys never appear in logs, results or reports (`AgentCredential.__repr__` hides them).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from harness.data import DataSource, table_from_rows
from harness.errors import SetupError
from harness.platform_client import REGISTER_PATH, PlatformClient, PlatformError, Reply, shown_url

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


AGENT_KEYS_ENV = "BWPERF_AGENT_KEYS"


def preprovisioned_agents(env: Mapping[str, str]) -> list[AgentCredential]:
    """Agent keys handed in by `BWPERF_AGENT_KEYS` (comma- or space-separated), e.g. from CI
    secrets for a staging whose registration limits would stop the setup phase. The keys stay in
    memory: the result records only how many there were."""
    keys = [key for key in re.split(r"[\s,]+", env.get(AGENT_KEYS_ENV, "")) if key]
    return [AgentCredential(f"preprovisioned-{index}", key, "") for index, key in enumerate(keys)]


def credential_source(pool: Sequence[AgentCredential], *, worker_index: int = 0, worker_count: int = 1) -> DataSource:
    """The run's keys (registered, or `BWPERF_AGENT_KEYS`) as an in-memory data set split like a
    data file: worker k holds keys i with i % N == k and VU v (v % N == k) gets the share's key
    (v // N) % share, so no two workers share a key. With one process VU v gets key v % len(pool),
    as before. A worker left without a share (more workers than keys) holds key k % len(pool)."""
    rows = [credential.to_wire() for credential in pool]
    if len(rows) > worker_index:
        table = table_from_rows("agent keys", rows, worker_index=worker_index, worker_count=worker_count)
    else:
        table = table_from_rows("agent keys", [rows[worker_index % len(rows)]])
    return DataSource(table, mode="per-vu", on_exhausted="cycle", worker_count=worker_count)


def credentials_of(source: DataSource) -> tuple[AgentCredential, ...]:
    """Every key a process holds, in order (what `vu.credential_pool` spreads requests over)."""
    return tuple(AgentCredential.from_wire(source.table.row(i)) for i in range(len(source.table)))


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
    register: Callable[[str], Reply] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[AgentCredential]:
    """Register `size` agents; waits out 429s (Retry-After) up to a bounded total time.
    `register` (username -> reply) replaces the platform client in tests."""
    with PlatformClient(target, read_timeout_s=REQUEST_TIMEOUT_S) as client:
        return _register_pool(register or client.register_agent, url=shown_url(target.rstrip("/") + REGISTER_PATH),
                              size=size, run_tag=run_tag, sleep=sleep)


def _register_pool(register: Callable[[str], Reply], *, url: str, size: int, run_tag: str,
                   sleep: Callable[[float], None]) -> list[AgentCredential]:
    pool: list[AgentCredential] = []
    waited_s = 0.0
    attempts = 0
    while len(pool) < size:
        attempts += 1
        if attempts > size * 3 + 10:
            raise SetupError(f"setup: gave up registering agents at {url} after {attempts - 1} attempts")
        username = f"bwperf-{run_tag}-{len(pool)}-{secrets.token_hex(3)}"
        try:
            reply = register(username)
        except PlatformError as error:
            raise SetupError(f"setup: cannot register agents: {error}") from error
        body = reply.json_object()
        if reply.status == 201 and isinstance(body.get("apiKey"), str):
            pool.append(AgentCredential(str(body.get("agentId", "")), str(body["apiKey"]), username))
            continue
        if reply.status == 429:
            delay_s = _retry_after_s(reply.headers)
            if waited_s + delay_s > MAX_WAIT_FOR_RATE_LIMIT_S:
                raise SetupError(
                    f"setup: registration at {url} is rate-limited (429) after {len(pool)} of {size} "
                    "agents; start the platform with the 'loadtest' rate-limit profile or lower setup.agents"
                )
            sleep(delay_s)
            waited_s += delay_s
            continue
        raise SetupError(f"setup: POST {url} answered {reply.status}, expected 201 with an apiKey")
    return pool


def _retry_after_s(headers: Mapping[str, str]) -> float:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.1, min(float(value), 30.0))
            except ValueError:
                break
    return 1.0
