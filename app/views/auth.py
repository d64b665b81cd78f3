"""Who is calling, and human accounts: request authentication, register, log in, refresh.

Authentication (`authenticate`, called by the access middleware) is built so that guessing is
neither free nor expensive for us (docs/auth.md):
- a token that cannot be valid (not printable ASCII, not the exact API-key shape, not three
  base64url parts) is refused before any hash, parse or database lookup;
- every refused credential counts against its client IP (`auth_failure` class); past the limit
  the answer is 429 with Retry-After instead of 401;
- a blocked IP gets no database lookups: an API key not verified by this process in the last
  minute is refused with 429 unlooked. A valid JWT, or a recently verified key, keeps working,
  since checking it costs no database work; only failures are counted.

Refresh tokens rotate (RFC 9700 §4.14.2): each login starts a family with one row in
`refresh_token_families` holding the jti of its one current refresh token. Refreshing swaps that
jti atomically; presenting any other token of the family means a copy leaked, so the whole
family is revoked and the latest token stops working too.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg
from aiohttp import web

from .. import db
from ..errors import Conflict, RateLimited, Unauthorized
from ..ratelimit import AUTH_FAILURE_CLASS, Decision
from ..schemas import Login, RefreshRequest, Tokens, UserRegistered, UserRegistration
from ..security import TokenPair, bearer_token, hash_api_key, hash_password, looks_like_api_key, verify_password
from ..state import AGENT_KEYS, JWT_KEYS, METRICS, RATE_LIMITER, SETTINGS
from .common import Principal, client_ip, json_response, read_json

# ---- authentication of every request --------------------------------------------------------


async def authenticate(request: web.Request) -> Principal:
    """The caller named by `Authorization: Bearer ...`, or anonymous; a bad credential is a 401,
    or a 429 once the client IP has had too many refused (see the module docstring)."""
    ip = client_ip(request)
    header = request.headers.get("Authorization")
    if header is None:
        return Principal("anonymous", ip, ip)
    try:
        token = bearer_token(header)
        if looks_like_api_key(token):
            return Principal("agent", await _agent_for_key(request.app, token, ip), ip)
        claims = request.app[JWT_KEYS].verify(token, "access")  # signature only: no database
        return Principal("user", str(claims["sub"]), ip)
    except Unauthorized as refused:
        await _count_failure(request.app, ip, refused)
        raise


async def _agent_for_key(app: web.Application, api_key: str, ip: str) -> str:
    key_hash = hash_api_key(api_key, app[SETTINGS].api_key_pepper)
    cache = app[AGENT_KEYS]
    agent_id = cache.get(key_hash)
    if agent_id is not None:
        return agent_id
    blocked = await app[RATE_LIMITER].peek(AUTH_FAILURE_CLASS, ip)
    if blocked is not None and not blocked.allowed:
        raise _too_many_failures(app, blocked)  # no lookup for an IP that is guessing
    async with db.connection(app) as conn:
        row = await (await conn.execute("SELECT id FROM agents WHERE api_key_hash = %s", (key_hash,))).fetchone()
    if row is None:
        raise Unauthorized("unknown API key")
    agent_id = str(row["id"])
    cache.put(key_hash, agent_id)
    return agent_id


async def _count_failure(app: web.Application, ip: str, refused: Unauthorized) -> None:
    """Count one refused credential for `ip`; past the limit, answer 429 instead of 401."""
    decisions = await app[RATE_LIMITER].hit([AUTH_FAILURE_CLASS], ip)
    if decisions and not decisions[0].allowed:  # None: Redis failed; fail open (a 401)
        raise _too_many_failures(app, decisions[0]) from refused


def _too_many_failures(app: web.Application, decision: Decision) -> RateLimited:
    app[METRICS].rate_limit_rejections.labels(decision.class_name).inc()
    return RateLimited(
        f"too many refused credentials from this address: {decision.limit} per "
        f"{app[RATE_LIMITER].limit_for(decision.class_name).window_s} s; retry after {decision.retry_after_s} s",
        details={"class": decision.class_name, "limit": decision.limit, "retryAfter": decision.retry_after_s},
        headers=decision.headers(),
    )


# ---- human accounts --------------------------------------------------------------------------

_REGISTER = """
WITH account AS (
    INSERT INTO users (id, email, display_name, password_hash) VALUES (%(user)s, %(email)s, %(name)s, %(hash)s)
    RETURNING id
)
INSERT INTO refresh_token_families (id, user_id, current_jti, expires_at)
SELECT %(family)s, id, %(jti)s, %(expires)s FROM account
RETURNING user_id
"""
_NEW_FAMILY = """
INSERT INTO refresh_token_families (id, user_id, current_jti, expires_at)
VALUES (%(family)s, %(user)s, %(jti)s, %(expires)s)
"""
# Compare-and-swap: only the family's current token may be exchanged, and only once.
_ROTATE = """
UPDATE refresh_token_families SET current_jti = %(jti)s, expires_at = %(expires)s, rotated_at = now()
WHERE id = %(family)s AND user_id = %(user)s AND current_jti = %(old_jti)s
  AND revoked_at IS NULL AND expires_at > now()
RETURNING user_id
"""
_REVOKE = """
UPDATE refresh_token_families SET revoked_at = now()
WHERE id = %(family)s AND revoked_at IS NULL AND current_jti <> %(old_jti)s
RETURNING id
"""


def _tokens(pair: TokenPair) -> Tokens:
    return Tokens(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in_s)


def _family_params(pair: TokenPair, family: str) -> dict[str, object]:
    return {
        "family": family,
        "jti": pair.refresh_jti,
        "expires": datetime.fromtimestamp(pair.refresh_expires_at_s, tz=timezone.utc),
    }


async def register_user(request: web.Request) -> web.Response:
    body = await read_json(request, UserRegistration)
    password_hash = await hash_password(body.password)  # in a thread: ~50 ms of CPU
    user_id, family = uuid.uuid4(), str(uuid.uuid4())
    pair = request.app[JWT_KEYS].issue_pair(str(user_id), family=family)
    params = {"user": user_id, "email": body.email.lower(), "name": body.display_name, "hash": password_hash,
              **_family_params(pair, family)}
    async with db.connection(request.app) as conn:
        try:
            await conn.execute(_REGISTER, params)
        except psycopg.errors.UniqueViolation:
            raise Conflict("an account with this email exists", details={"field": "email"}) from None
    return json_response(UserRegistered(user_id=user_id, **_tokens(pair).model_dump()), status=201)


async def login(request: web.Request) -> web.Response:
    body = await read_json(request, Login)
    async with db.connection(request.app) as conn:
        row = await (
            await conn.execute("SELECT id, password_hash FROM users WHERE email = %s", (body.email.lower(),))
        ).fetchone()
    # Same work whether or not the account exists, and the same answer.
    if not await verify_password(row["password_hash"] if row else None, body.password) or row is None:
        raise Unauthorized("invalid email or password")
    family = str(uuid.uuid4())
    pair = request.app[JWT_KEYS].issue_pair(str(row["id"]), family=family)
    async with db.connection(request.app) as conn:
        await conn.execute(_NEW_FAMILY, {"user": row["id"], **_family_params(pair, family)})
    return json_response(_tokens(pair))


async def refresh(request: web.Request) -> web.Response:
    body = await read_json(request, RefreshRequest)
    claims = request.app[JWT_KEYS].verify(body.refresh_token, "refresh")
    try:
        user_id = str(uuid.UUID(str(claims["sub"])))
        family = str(uuid.UUID(str(claims["fam"])))
    except KeyError:
        raise Unauthorized("this refresh token predates rotation; log in again") from None
    except ValueError:
        raise Unauthorized("the token's subject or family is not valid") from None
    pair = request.app[JWT_KEYS].issue_pair(user_id, family=family)
    params = {"user": user_id, "old_jti": str(claims["jti"]), **_family_params(pair, family)}
    async with db.connection(request.app) as conn:
        if await (await conn.execute(_ROTATE, params)).fetchone() is not None:
            return json_response(_tokens(pair))
        reused = await (await conn.execute(_REVOKE, params)).fetchone() is not None
    if reused:
        raise Unauthorized("this refresh token was already used; every token of its login is revoked")
    raise Unauthorized("this refresh token is revoked, expired or unknown; log in again")
