"""How credentials are kept: argon2id passwords, keyed hashes (HMAC) of API keys, and no
plaintext key, password or token anywhere in the database; JWTs with exp, iat and a type, the
two types not interchangeable, and the rotation grace of seed 6.1 on real API processes."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator

import jwt
import psycopg
import pytest
from argon2 import PasswordHasher

from harness.faults.lab import FaultLab, PlatformProcess

from .client import bearer, call, new_agent, new_user
from .conftest import API_KEY_PEPPER, JWT_SECRET

ARGON2ID = re.compile(r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
PROBLEMS = "/api/v1/problems?limit=1"


def _text_columns(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    return conn.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type IN "
        "('text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')"
    ).fetchall()


def _where_found(conn: psycopg.Connection, secret: str) -> list[str]:
    """Every table.column whose value contains `secret` (as text, or as bytes for bytea)."""
    found = []
    for table, column, kind in _text_columns(conn):
        if kind == "bytea":
            hit = conn.execute(f'SELECT count(*) FROM "{table}" WHERE position(%s::bytea IN "{column}") > 0',
                               (secret.encode(),)).fetchone()
        else:
            hit = conn.execute(f'SELECT count(*) FROM "{table}" WHERE strpos("{column}"::text, %s) > 0',
                               (secret,)).fetchone()
        if hit and hit[0]:
            found.append(f"{table}.{column}")
    return found


def test_passwords_are_argon2id_and_api_keys_keyed_hashes_and_no_secret_is_stored(
        api: PlatformProcess, security_lab: FaultLab) -> None:
    agent_id, key = new_agent(api.url)
    tokens, email, password = new_user(api.url)
    with psycopg.connect(security_lab.database_url, autocommit=True) as conn:
        (stored_password,) = conn.execute("SELECT password_hash FROM users WHERE email = %s", (email,)).fetchone()
        prefix, key_hash = conn.execute("SELECT api_key_prefix, api_key_hash FROM agents WHERE id = %s",
                                        (agent_id,)).fetchone()
        assert ARGON2ID.match(stored_password), stored_password
        assert PasswordHasher().verify(stored_password, password)
        assert bytes(key_hash) == hmac.new(API_KEY_PEPPER.encode(), key.encode(), hashlib.sha256).digest()
        assert bytes(key_hash) != hashlib.sha256(key.encode()).digest(), "keyed, not a plain hash"
        assert key.startswith(prefix) and len(prefix) <= 12 < len(key) - 30
        assert len(_text_columns(conn)) > 20  # the search below really looks at every text column
        for secret in (key, key[12:], password, tokens["accessToken"], tokens["refreshToken"], JWT_SECRET,
                       API_KEY_PEPPER):
            assert _where_found(conn, secret) == [], "a secret is stored in the database"


def test_a_jwt_carries_exp_iat_and_its_type(api: PlatformProcess) -> None:
    tokens, _, _ = new_user(api.url)
    for token, kind, ttl in ((tokens["accessToken"], "access", 15 * 60), (tokens["refreshToken"], "refresh", 7 * 86400)):
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        assert claims["typ"] == kind and claims["sub"] == tokens["userId"] and claims["jti"]
        assert claims["exp"] - claims["iat"] == ttl
    assert tokens["expiresIn"] == 15 * 60


def test_a_refresh_token_is_refused_as_an_access_token_and_back(api: PlatformProcess) -> None:
    tokens, _, _ = new_user(api.url)
    refused = call("GET", api.url + PROBLEMS, headers=bearer(tokens["refreshToken"]))
    assert refused.status == 401 and "access token is required" in refused.body["message"]
    refused = call("POST", api.url + "/api/v1/auth/refresh", body={"refreshToken": tokens["accessToken"]})
    assert refused.status == 401
    assert call("GET", api.url + PROBLEMS, headers=bearer(tokens["accessToken"])).status == 200
    assert call("POST", api.url + "/api/v1/auth/refresh", body={"refreshToken": tokens["refreshToken"]}).status == 200


@pytest.fixture
def rotation(security_lab: FaultLab) -> Iterator[dict[str, PlatformProcess]]:
    new_secret = "rotated-jwt-secret-" + "9" * 30
    apis = {
        "before": security_lab.api(),                                               # JWT_SECRET only
        "during": security_lab.api(JWT_SECRET=new_secret, JWT_SECRET_PREVIOUS=JWT_SECRET),
        "after": security_lab.api(JWT_SECRET=new_secret),                           # previous cleared
    }
    yield apis
    for process in apis.values():
        security_lab.stop(process)


def test_the_rotation_grace_accepts_the_previous_secret_while_set_and_refuses_it_once_cleared(
        rotation: dict[str, PlatformProcess]) -> None:
    old, _, _ = new_user(rotation["before"].url)
    during = rotation["during"].url
    assert call("GET", during + PROBLEMS, headers=bearer(old["accessToken"])).status == 200
    renewed = call("POST", during + "/api/v1/auth/refresh", body={"refreshToken": old["refreshToken"]})
    assert renewed.status == 200
    assert jwt.decode(renewed.body["accessToken"], "rotated-jwt-secret-" + "9" * 30, algorithms=["HS256"])
    after = rotation["after"].url
    assert call("GET", after + PROBLEMS, headers=bearer(old["accessToken"])).status == 401
    assert call("POST", after + "/api/v1/auth/refresh", body={"refreshToken": old["refreshToken"]}).status == 401
    assert call("GET", after + PROBLEMS, headers=bearer(renewed.body["accessToken"])).status == 200
