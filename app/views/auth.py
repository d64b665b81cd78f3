"""Human accounts: register, log in, refresh. Passwords are argon2id; sessions are JWT pairs."""

from __future__ import annotations

import uuid

import psycopg
from aiohttp import web

from .. import db
from ..errors import Conflict, Unauthorized
from ..schemas import Login, RefreshRequest, Tokens, UserRegistered, UserRegistration
from ..security import TokenPair, hash_password, verify_password
from ..state import JWT_KEYS
from .common import json_response, read_json


def _tokens(pair: TokenPair) -> Tokens:
    return Tokens(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in_s)


async def register_user(request: web.Request) -> web.Response:
    body = await read_json(request, UserRegistration)
    email = body.email.lower()
    password_hash = await hash_password(body.password)  # in a thread: ~50 ms of CPU
    async with db.connection(request.app) as conn:
        try:
            row = await (
                await conn.execute(
                    "INSERT INTO users (email, display_name, password_hash) VALUES (%s, %s, %s) RETURNING id",
                    (email, body.display_name, password_hash),
                )
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Conflict("an account with this email exists", details={"field": "email"}) from None
    assert row is not None
    pair = request.app[JWT_KEYS].issue_pair(str(row["id"]))
    return json_response(UserRegistered(user_id=row["id"], **_tokens(pair).model_dump()), status=201)


async def login(request: web.Request) -> web.Response:
    body = await read_json(request, Login)
    async with db.connection(request.app) as conn:
        row = await (
            await conn.execute("SELECT id, password_hash FROM users WHERE email = %s", (body.email.lower(),))
        ).fetchone()
    # Same work whether or not the account exists, and the same answer.
    if not await verify_password(row["password_hash"] if row else None, body.password) or row is None:
        raise Unauthorized("invalid email or password")
    return json_response(_tokens(request.app[JWT_KEYS].issue_pair(str(row["id"]))))


async def refresh(request: web.Request) -> web.Response:
    body = await read_json(request, RefreshRequest)
    claims = request.app[JWT_KEYS].verify(body.refresh_token, "refresh")
    try:
        user_id = str(uuid.UUID(str(claims["sub"])))
    except ValueError:
        raise Unauthorized("the token's subject is not an account") from None
    async with db.connection(request.app) as conn:
        row = await (await conn.execute("SELECT 1 FROM users WHERE id = %s", (user_id,))).fetchone()
    if row is None:
        raise Unauthorized("the account of this token no longer exists")
    return json_response(_tokens(request.app[JWT_KEYS].issue_pair(user_id)))
