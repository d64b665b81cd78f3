"""Human accounts and JWTs: register, login, refresh, token types and dual-key rotation."""

from __future__ import annotations

import time

import jwt
import psycopg

from app.security import JwtKeys
from tests.app.conftest import JWT_SECRET
from tests.app.openapi_check import checked

REGISTER, LOGIN, REFRESH = "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh"
PROBLEMS = "/api/v1/problems"
ACCOUNT = {"email": "Ada@Example.org", "password": "correct horse battery", "displayName": "Ada"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_login_refresh(client, clean_db) -> None:
    resp = await client.post(REGISTER, json=ACCOUNT)
    assert resp.status == 201
    registered = await checked(resp, REGISTER)
    claims = jwt.decode(registered["accessToken"], JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == registered["userId"] and claims["typ"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60 and registered["expiresIn"] == 900
    refresh_claims = jwt.decode(registered["refreshToken"], JWT_SECRET, algorithms=["HS256"])
    assert refresh_claims["typ"] == "refresh" and refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600
    assert claims["jti"] != refresh_claims["jti"]
    with psycopg.connect(clean_db) as conn:
        email, stored = conn.execute("SELECT email, password_hash FROM users").fetchone()
    assert email == "ada@example.org" and stored.startswith("$argon2id$") and ACCOUNT["password"] not in stored

    resp = await client.post(LOGIN, json={"email": "ada@example.org", "password": ACCOUNT["password"]})
    assert resp.status == 200
    tokens = await checked(resp, LOGIN)
    resp = await client.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})
    assert resp.status == 200
    fresh = await checked(resp, REFRESH)
    resp = await client.get(PROBLEMS, headers=bearer(fresh["accessToken"]))
    assert resp.status == 200 and resp.headers["X-RateLimit-Limit"] == "100000"


async def test_login_failures_look_the_same(client) -> None:
    await client.post(REGISTER, json=ACCOUNT)
    wrong = await client.post(LOGIN, json={"email": ACCOUNT["email"], "password": "not the password"})
    unknown = await client.post(LOGIN, json={"email": "nobody@example.org", "password": "whatever it is"})
    assert wrong.status == unknown.status == 401
    assert (await checked(wrong, LOGIN))["message"] == (await checked(unknown, LOGIN))["message"]


async def test_registration_errors(client) -> None:
    assert (await client.post(REGISTER, json=ACCOUNT)).status == 201
    resp = await client.post(REGISTER, json={**ACCOUNT, "email": "ADA@example.org"})
    assert resp.status == 409 and (await checked(resp, REGISTER))["details"]["field"] == "email"
    for body, field in [({**ACCOUNT, "password": "short"}, "password"), ({**ACCOUNT, "email": "not-an-email"}, "email"),
                        ({**ACCOUNT, "displayName": ""}, "displayName"), ({**ACCOUNT, "admin": True}, "admin")]:
        resp = await client.post(REGISTER, json=body)
        assert resp.status == 400
        assert field in {f["field"] for f in (await checked(resp, REGISTER))["details"]["fields"]}


async def test_token_types_are_not_interchangeable(client) -> None:
    tokens = await (await client.post(REGISTER, json=ACCOUNT)).json()
    resp = await client.get(PROBLEMS, headers=bearer(tokens["refreshToken"]))
    assert resp.status == 401 and "access" in (await checked(resp, PROBLEMS))["message"]
    resp = await client.post(REFRESH, json={"refreshToken": tokens["accessToken"]})
    assert resp.status == 401
    await checked(resp, REFRESH)


async def test_dual_key_rotation(make_client) -> None:
    old = await make_client()
    tokens = await (await old.post(REGISTER, json=ACCOUNT)).json()
    rotated = await make_client(jwt_secret="a-brand-new-secret-0123456789abcdef", jwt_secret_previous=JWT_SECRET)
    assert (await rotated.get(PROBLEMS, headers=bearer(tokens["accessToken"]))).status == 200
    assert (await rotated.post(REFRESH, json={"refreshToken": tokens["refreshToken"]})).status == 200
    stranger = JwtKeys(secret="somebody-elses-secret-0123456789abcdef").issue(tokens["userId"], "access")
    resp = await rotated.get(PROBLEMS, headers=bearer(stranger))
    assert resp.status == 401 and "signature" in (await resp.json())["message"]
    after = await make_client(jwt_secret="a-brand-new-secret-0123456789abcdef")  # previous cleared
    assert (await after.get(PROBLEMS, headers=bearer(tokens["accessToken"]))).status == 401


async def test_expired_and_forged_tokens_are_refused(client) -> None:
    keys = JwtKeys(secret=JWT_SECRET)
    expired = keys.issue("8c4f6e0e-4e56-4c7c-9a55-2b1e4d0b8d11", "access", now_s=int(time.time()) - 3600)
    none_alg = jwt.encode({"sub": "x", "iat": 1, "exp": 2**40, "jti": "j", "typ": "access"}, key=None, algorithm="none")
    for token, needle in ((expired, "expired"), (none_alg, "malformed"), ("eyJ.garbage.token", "malformed")):
        resp = await client.get(PROBLEMS, headers=bearer(token))
        assert resp.status == 401 and needle in (await resp.json())["message"], token
