"""API keys, password hashing and JWT verification, without a server."""

from __future__ import annotations

import re
import time

import jwt
import pytest

from app.errors import Unauthorized
from app.security import (
    JwtKeys, bearer_token, hash_api_key, hash_password, key_environment, looks_like_api_key, new_api_key,
    verify_password,
)


def test_api_keys_have_the_documented_shape_and_a_keyed_hash() -> None:
    key = new_api_key("staging")
    assert re.fullmatch(r"bw_staging_[A-Za-z0-9_-]{43}", key) and looks_like_api_key(key)
    assert new_api_key("staging") != key
    assert key_environment("Prod-EU 2") == "prodeu" and key_environment("123") == "dev"
    assert hash_api_key(key, "p1") == hash_api_key(key, "p1") != hash_api_key(key, "p2")
    assert len(hash_api_key(key, "p1")) == 32
    assert not looks_like_api_key("bw_dev_sentinel-alpha_test")  # the seed's placeholder is too short


@pytest.mark.parametrize("token", [
    "bw_dev_" + "A" * 42, "bw_dev_" + "A" * 44, "bw_dev_" + "A" * 42 + "+", "bw__" + "A" * 43,
    "bw_Dev_" + "A" * 43, "xbw_dev_" + "A" * 43, "bw_dev_" + "A" * 43 + "\n", "bw_dev_" + "\udcff" * 43,
    "bw_dev_" + "Ａ" * 43,  # full-width letters: \w would take them, the key alphabet does not
])
def test_only_the_exact_issued_key_shape_is_a_key(token: str) -> None:
    assert not looks_like_api_key(token)


def test_bearer_tokens_must_be_printable_ascii() -> None:
    assert bearer_token("Bearer  abc.def.ghi ") == "abc.def.ghi" and bearer_token("bearer x") == "x"
    for header in ("Bearer \udcff", "Bearer caf\u00e9", "Bearer a\x00b", "Basic abc", "Bearer ", "abc"):
        with pytest.raises(Unauthorized):
            bearer_token(header)


def test_a_token_that_is_not_a_jwt_is_refused_before_parsing() -> None:
    keys = JwtKeys(secret="new-secret-0123456789abcdef0123456789")
    good = keys.issue("u", "access")
    for token in ("\udcff", good + "\udcff", "a.b", "a.b.", "a.b.c.d", good[:10] + "é" + good[11:], good + "x" * 5000):
        with pytest.raises(Unauthorized, match="malformed"):
            keys.verify(token, "access")


def test_a_refresh_token_names_its_family_and_its_jti() -> None:
    keys = JwtKeys(secret="new-secret-0123456789abcdef0123456789")
    pair = keys.issue_pair("user-1", family="family-1")
    claims = keys.verify(pair.refresh_token, "refresh")
    assert claims["fam"] == "family-1" and claims["jti"] == pair.refresh_jti
    assert claims["exp"] == pair.refresh_expires_at_s
    assert "fam" not in keys.verify(pair.access_token, "access")


async def test_passwords_are_argon2id() -> None:
    stored = await hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "wrong horse battery")
    assert not await verify_password(None, "anything")
    assert not await verify_password("not a hash", "anything")


def test_jwt_claims_types_and_rotation() -> None:
    keys = JwtKeys(secret="new-secret-0123456789abcdef0123456789", previous="old-secret-0123456789abcdef0123456789")
    old = JwtKeys(secret="old-secret-0123456789abcdef0123456789")
    token = old.issue("user-1", "access")
    assert keys.verify(token, "access")["sub"] == "user-1"
    claims = jwt.decode(keys.issue("user-1", "refresh"), options={"verify_signature": False})
    assert set(claims) == {"sub", "iat", "exp", "jti", "typ"} and claims["typ"] == "refresh"
    with pytest.raises(Unauthorized, match="access token is required"):
        keys.verify(keys.issue("user-1", "refresh"), "access")
    with pytest.raises(Unauthorized, match="refresh token is required"):
        keys.verify(keys.issue("user-1", "access"), "refresh")
    with pytest.raises(Unauthorized, match="signature"):
        keys.verify(JwtKeys(secret="other-secret-0123456789abcdef012345").issue("u", "access"), "access")
    with pytest.raises(Unauthorized, match="expired"):
        keys.verify(keys.issue("u", "access", now_s=int(time.time()) - 10_000), "access")
    missing_jti = jwt.encode({"sub": "u", "iat": 1, "exp": 2**40, "typ": "access"},
                             "new-secret-0123456789abcdef0123456789", algorithm="HS256")
    with pytest.raises(Unauthorized, match="malformed"):
        keys.verify(missing_jti, "access")


def test_agent_key_cache_expires_and_stays_bounded(monkeypatch) -> None:
    from app import security

    now = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: now[0])
    cache = security.AgentKeyCache(ttl_s=60, max_entries=2)
    cache.put(b"a", "agent-a")
    assert cache.get(b"a") == "agent-a" and cache.get(b"zz") is None
    now[0] += 61
    assert cache.get(b"a") is None  # expired
    cache.put(b"b", "agent-b")
    cache.put(b"c", "agent-c")
    cache.put(b"d", "agent-d")  # evicts the oldest
    assert cache.get(b"b") is None and cache.get(b"c") == "agent-c" and cache.get(b"d") == "agent-d"
