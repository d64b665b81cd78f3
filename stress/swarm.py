"""Agents of a stress run: registered through the API, recorded in the ledger by id, their keys
kept in this process's memory only (never written), and checked at the end of the session by a
heartbeat with each key: an agent that cannot authenticate is a lost agent.

With `--workers N` each process registers, keeps and checks its own agents; the ledger's
`agent_check` records carry only the id, the outcome and the HTTP status.
"""

from __future__ import annotations

import threading
from typing import Any

import gevent.pool

from harness.credentials import AgentCredential
from harness.platform_client import PlatformClient, PlatformError
from scenarios.api import NAME_REGISTER, REGISTER_PATH, json_body, registration_body, unique_suffix
from stress import ledger

USERNAME_PREFIX = "swarm-agent"
CHECK_CONCURRENCY = 20
CHECK_TIMEOUT_S = 10.0

_AGENTS: list[AgentCredential] = []
_LOCK = threading.Lock()


def registered_agents() -> list[AgentCredential]:
    with _LOCK:
        return list(_AGENTS)


def agent(index: int) -> AgentCredential | None:
    with _LOCK:
        return _AGENTS[index] if index < len(_AGENTS) else None


def remember(credential: AgentCredential) -> None:
    """Keep the key in memory and record the agent (by id) in the ledger."""
    with _LOCK:
        _AGENTS.append(credential)
    ledger.record("agent", id=credential.agent_id)


def register(vu: Any) -> AgentCredential | None:
    """POST a registration; a 201 with an id and a key is an acknowledged write."""
    username = f"{USERNAME_PREFIX}-{unique_suffix()}"
    response = vu.client.post(REGISTER_PATH, json=registration_body(username), name=NAME_REGISTER)
    body = json_body(response)
    agent_id, key = body.get("agentId"), body.get("apiKey")
    ok = vu.check("registered (201 with agentId and apiKey)",
                  response.status_code == 201 and isinstance(agent_id, str) and isinstance(key, str))
    if not ok:
        return None
    credential = AgentCredential(str(agent_id), str(key), username)
    remember(credential)
    return credential


def check_agents(target: str, agents: list[AgentCredential], *, run_dir: Any = None) -> dict[str, int]:
    """A heartbeat with each agent's key; records each outcome in the ledger; returns id -> status."""
    statuses: dict[str, int] = {}
    with PlatformClient(target, read_timeout_s=CHECK_TIMEOUT_S, max_connections=CHECK_CONCURRENCY) as client:

        def one(credential: AgentCredential) -> None:
            try:
                status = client.heartbeat(api_key=credential.api_key).status
            except PlatformError:
                status = 0
            statuses[credential.agent_id] = status
            ledger.record("agent_check", run_dir=run_dir, id=credential.agent_id, ok=status == 200, status=status)

        pool = gevent.pool.Pool(CHECK_CONCURRENCY)
        for credential in agents:
            pool.spawn(one, credential)
        pool.join(timeout=CHECK_TIMEOUT_S * (1 + len(agents) / CHECK_CONCURRENCY))
        pool.kill()
    return statuses


def after_session_check(context: Any) -> None:
    """The `after_session` hook: this process's agents, each authenticated once more."""
    agents = registered_agents()
    if agents:
        check_agents(context.target, agents, run_dir=context.run_dir)
