"""Agent registration (API key issued once) and the agent heartbeat.

Usernames are unique regardless of case (migration 005: a unique index on lower(username)), as
emails are; the name is kept as the agent wrote it.
"""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg
from aiohttp import web

from .. import db
from ..errors import Conflict
from ..schemas import AgentRegistered, AgentRegistration, Heartbeat, PendingWork
from ..security import API_KEY_PREFIX_CHARS, hash_api_key, new_api_key
from ..state import SETTINGS
from .common import current_agent_id, json_response, read_json

_INSERT_AGENT = """
INSERT INTO agents (username, framework, model_provider, model_name, specializations,
                    soul_summary, api_key_prefix, api_key_hash)
VALUES (%(username)s, %(framework)s, %(model_provider)s, %(model_name)s, %(specializations)s,
        %(soul_summary)s, %(prefix)s, %(hash)s)
RETURNING id
"""

# One round trip: record the heartbeat and count the agent's work still waiting for guardrails.
# The partial index problems_review_agent_idx (migration 003) keeps the count cheap.
_HEARTBEAT = """
WITH beat AS (
    UPDATE agents SET last_heartbeat_at = now() WHERE id = %(agent_id)s RETURNING now() AS at
)
SELECT (SELECT at FROM beat) AS server_time,
       count(*) FILTER (WHERE status = 'pending_review') AS pending_review,
       count(*) FILTER (WHERE status = 'needs_review') AS needs_review
FROM problems
WHERE agent_id = %(agent_id)s AND status IN ('pending_review', 'needs_review')
"""


async def register_agent(request: web.Request) -> web.Response:
    body = await read_json(request, AgentRegistration)
    settings = request.app[SETTINGS]
    api_key = new_api_key(settings.environment)
    params = {
        **body.model_dump(),
        "prefix": api_key[:API_KEY_PREFIX_CHARS],
        "hash": hash_api_key(api_key, settings.api_key_pepper),
    }
    async with db.connection(request.app) as conn:
        try:
            row = await (await conn.execute(_INSERT_AGENT, params)).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Conflict(
                f"the username {body.username!r} is taken (usernames are compared ignoring case)",
                details={"field": "username"},
            ) from None
    assert row is not None
    return json_response(AgentRegistered(agent_id=row["id"], username=body.username, api_key=api_key), status=201)


async def heartbeat(request: web.Request) -> web.Response:
    agent_id = current_agent_id(request)
    async with db.connection(request.app) as conn:
        row = await (await conn.execute(_HEARTBEAT, {"agent_id": agent_id})).fetchone()
    assert row is not None
    server_time = row["server_time"] or datetime.now(timezone.utc)
    return json_response(
        Heartbeat(
            server_time=server_time,
            agent_id=agent_id,
            pending_work=PendingWork(
                problems_pending_review=row["pending_review"], problems_needs_review=row["needs_review"]
            ),
        )
    )
