"""Refresh tokens rotate, and reuse is treated as theft (RFC 9700 §4.14.2; issue 18 point 10), on a
real API process: each refresh token works once; presenting a used one revokes its whole login
(family), the latest token included, and leaves the account's other logins alone."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import jwt

from app.security import JwtKeys
from harness.faults.lab import FaultLab, PlatformProcess

from .client import Answer, bearer, call, new_user
from .conftest import JWT_SECRET

LOGIN, REFRESH = "/api/v1/auth/login", "/api/v1/auth/refresh"
PROBLEMS = "/api/v1/problems?limit=1"


def _refresh(api: PlatformProcess, token: str) -> Answer:
    return call("POST", api.url + REFRESH, body={"refreshToken": token})


def _login(api: PlatformProcess, email: str, password: str) -> dict[str, Any]:
    answer = call("POST", api.url + LOGIN, body={"email": email, "password": password})
    assert answer.status == 200, answer.text
    return answer.body


def test_refresh_rotates_and_replaying_a_used_token_revokes_the_whole_login(
        api: PlatformProcess, security_lab: FaultLab) -> None:
    registered, email, password = new_user(api.url)
    other_login = _login(api, email, password)
    first = registered["refreshToken"]
    second = _refresh(api, first)
    assert second.status == 200, second.text
    third = _refresh(api, second.body["refreshToken"])
    assert third.status == 200, third.text  # refreshing twice in sequence works
    latest = third.body["refreshToken"]
    family = jwt.decode(first, JWT_SECRET, algorithms=["HS256"])["fam"]
    assert jwt.decode(latest, JWT_SECRET, algorithms=["HS256"])["fam"] == family
    assert call("GET", api.url + PROBLEMS, headers=bearer(third.body["accessToken"])).status == 200

    replay = _refresh(api, first)
    assert replay.status == 401 and "already used" in replay.body["message"], replay.text
    revoked = _refresh(api, latest)
    assert revoked.status == 401 and "revoked" in revoked.body["message"], revoked.text
    assert security_lab.sql("SELECT revoked_at IS NOT NULL FROM refresh_token_families WHERE id = %s",
                            (family,)) == [(True,)]
    # Another login of the same account is another family: untouched.
    assert _refresh(api, other_login["refreshToken"]).status == 200


def test_replaying_the_token_just_exchanged_revokes_the_new_one(api: PlatformProcess) -> None:
    registered, _, _ = new_user(api.url)
    first = registered["refreshToken"]
    second = _refresh(api, first)
    assert second.status == 200
    assert _refresh(api, first).status == 401
    assert _refresh(api, second.body["refreshToken"]).status == 401


def test_concurrent_uses_of_one_token_let_exactly_one_through(api: PlatformProcess) -> None:
    """The rotation is one conditional UPDATE: the row lock lets one win, the rest see the new jti."""
    registered, _, _ = new_user(api.url)
    token = registered["refreshToken"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _refresh(api, token), range(8)))
    winners = [a for a in answers if a.status == 200]
    assert len(winners) == 1 and all(a.status in (200, 401) for a in answers), [a.status for a in answers]
    for winner in winners:  # the race itself is reuse: the family is revoked
        assert _refresh(api, winner.body["refreshToken"]).status == 401


def test_refresh_tokens_without_a_family_or_of_another_account_are_refused(api: PlatformProcess) -> None:
    registered, _, _ = new_user(api.url)
    keys = JwtKeys(secret=JWT_SECRET)
    legacy = keys.issue(registered["userId"], "refresh")  # issued before rotation existed: no `fam`
    answer = _refresh(api, legacy)
    assert answer.status == 401 and "log in again" in answer.body["message"], answer.text
    claims = jwt.decode(registered["refreshToken"], JWT_SECRET, algorithms=["HS256"])
    stranger, _, _ = new_user(api.url)
    forged_owner = keys.issue(stranger["userId"], "refresh", jti=claims["jti"], family=claims["fam"])
    assert _refresh(api, forged_owner).status == 401  # a family belongs to one account
    assert _refresh(api, registered["refreshToken"]).status == 200  # and that did not revoke it
