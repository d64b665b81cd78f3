"""Problems: keyset-paginated listing, one problem, and submission for guardrail review.

Listing pages on (created_at, id) descending with an opaque cursor; unlike OFFSET it costs the same
on page 1000 as on page 1, and rows inserted while a client pages never shift the pages it has
not read yet (they sort before the cursor).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone

import psycopg
import structlog
from aiohttp import web
from psycopg.types.json import Jsonb

from .. import db
from ..errors import NotFound, Unauthorized, Unavailable, ValidationFailed
from ..queue import EnqueueFailed, enqueue_guardrail_job
from ..schemas import Problem, ProblemAccepted, ProblemCreate, ProblemListQuery, ProblemPage
from ..state import METRICS, REDIS, SETTINGS
from .common import current_agent_id, json_response, parse_query, path_int, read_json

_log = structlog.get_logger(logger_name="app.problems")

_COLUMNS = (
    "id, agent_id, title, description, domain, severity, affected_population_estimate, "
    "geographic_scope, location_name, latitude, longitude, "
    # As text: pydantic parses JSON in Rust, several times faster than psycopg's json.loads.
    "data_sources::text AS data_sources, evidence_links::text AS evidence_links, "
    "self_audit::text AS self_audit, status, guardrail_reason, guardrail_tier, created_at, updated_at"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CURSOR_TEXT = re.compile(r"^1:(-?\d{1,18}):(\d{1,19})$")

_INSERT = """
INSERT INTO problems (agent_id, title, description, domain, severity, affected_population_estimate,
                      geographic_scope, location_name, latitude, longitude, data_sources,
                      evidence_links, self_audit)
VALUES (%(agent_id)s, %(title)s, %(description)s, %(domain)s, %(severity)s,
        %(affected_population_estimate)s, %(geographic_scope)s, %(location_name)s, %(latitude)s,
        %(longitude)s, %(data_sources)s, %(evidence_links)s, %(self_audit)s)
RETURNING id
"""
_MARK_ENQUEUE_FAILED = """
UPDATE problems SET status = 'needs_review', guardrail_reason = 'enqueue failed', updated_at = now()
WHERE id = %(id)s AND status = 'pending_review'
"""


# ---- cursor ---------------------------------------------------------------------------------

def encode_cursor(created_at: datetime, problem_id: int) -> str:
    micros = (created_at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"1:{micros}:{problem_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) of the last row of the previous page; ValidationFailed naming `cursor`."""
    bad = ValidationFailed.one("cursor", "is not a cursor returned by this API")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise bad from None
    match = _CURSOR_TEXT.match(text)
    if match is None:
        raise bad
    try:
        created_at = _EPOCH + timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        raise bad from None
    return created_at, int(match.group(2))


def _list_sql(query: ProblemListQuery) -> tuple[str, dict[str, object]]:
    # Only constant fragments enter the SQL text; every value is a bound parameter.
    where: list[str] = []
    params: dict[str, object] = {"limit": query.limit + 1}
    for column in ("domain", "severity", "status"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = %({column})s")
            params[column] = value
    if query.cursor is not None:
        params["after_ts"], params["after_id"] = decode_cursor(query.cursor)
        where.append("(created_at, id) < (%(after_ts)s, %(after_id)s)")
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    sql = f"SELECT {_COLUMNS} FROM problems {clause}ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
    return sql, params


# ---- handlers -------------------------------------------------------------------------------

async def list_problems(request: web.Request) -> web.Response:
    query = parse_query(request, ProblemListQuery)
    sql, params = _list_sql(query)
    async with db.connection(request.app) as conn:
        rows = await (await conn.execute(sql, params)).fetchall()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    page = ProblemPage(data=[Problem.model_validate(row) for row in rows], next_cursor=next_cursor)
    return json_response(page)


async def get_problem(request: web.Request) -> web.Response:
    problem_id = path_int(request, "id")
    async with db.connection(request.app) as conn:
        row = await (await conn.execute(f"SELECT {_COLUMNS} FROM problems WHERE id = %s", (problem_id,))).fetchone()
    if row is None:
        raise NotFound(f"no problem with id {problem_id}", details={"id": problem_id})
    return json_response(Problem.model_validate(row))


async def create_problem(request: web.Request) -> web.Response:
    agent_id = current_agent_id(request)
    body = await read_json(request, ProblemCreate)
    params = body.model_dump(exclude={"data_sources", "evidence_links", "self_audit"})
    params.update(
        agent_id=agent_id,
        data_sources=Jsonb(body.data_sources),
        evidence_links=Jsonb(body.evidence_links),
        self_audit=Jsonb(body.self_audit.model_dump(by_alias=True)) if body.self_audit else None,
    )
    async with db.connection(request.app) as conn:
        try:
            row = await (await conn.execute(_INSERT, params)).fetchone()
        except psycopg.errors.ForeignKeyViolation:
            raise Unauthorized("the agent of this API key no longer exists") from None
    assert row is not None
    problem_id = int(row["id"])
    # The row is committed before the job exists, so the worker never sees a job for a missing row.
    try:
        job = await enqueue_guardrail_job(request.app[REDIS], request.app[SETTINGS].guardrail_stream, problem_id)
    except EnqueueFailed as exc:
        await _enqueue_failed(request, problem_id, exc)
    return json_response(ProblemAccepted(id=problem_id, status="pending_review", job_id=job.job_id), status=202)


async def _enqueue_failed(request: web.Request, problem_id: int, exc: EnqueueFailed) -> None:
    """Keep the problem visible for a human (needs_review) and tell the client: nothing is lost."""
    request.app[METRICS].enqueue_errors.inc()
    _log.error("guardrail enqueue failed; problem marked needs_review", problem_id=problem_id, error=str(exc))
    async with db.connection(request.app) as conn:
        await conn.execute(_MARK_ENQUEUE_FAILED, {"id": problem_id})
    raise Unavailable(
        "the guardrail queue is unavailable; the problem was stored and marked needs_review",
        details={"dependency": "queue", "problemId": problem_id, "status": "needs_review"},
    )
