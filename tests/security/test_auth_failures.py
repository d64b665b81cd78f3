"""Hostile credentials against a real API process (issue 18 points 4 and 8): undecodable header
bytes are a 401, never a 500; a token that cannot be a valid credential costs no database lookup
(shown with PostgreSQL frozen); refused credentials are limited per client IP (429 + Retry-After
after `auth_failure` = 20 per minute), while valid credentials from the same IP keep working."""

from __future__ import annotations

import http.client
import secrets
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import redis

from app.ratelimit import AUTH_FAILURE_CLASS, DEFAULT_AUTH_FAILURE_LIMIT
from app.security import JwtKeys
from harness.faults.lab import FaultLab, PlatformProcess

from .client import bearer, call, new_agent, new_user

PROBLEMS = "/api/v1/problems?limit=1"
HEARTBEAT = "/api/v1/agents/heartbeat"
THRESHOLD = DEFAULT_AUTH_FAILURE_LIMIT.limit
FAST_S = 0.5  # a refusal that needs no database (a lookup on a frozen PostgreSQL never answers)


def _raw(api: PlatformProcess, method: str, path: str, headers: dict[str, bytes]) -> int:
    """Status of a request whose header values are sent as raw bytes (urllib would re-encode them)."""
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        conn.putrequest(method, path)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", "0")
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _random_key() -> str:
    return "bw_lab_" + secrets.token_urlsafe(32)  # the exact shape the API issues


def _bad_jwt() -> str:
    return JwtKeys(secret=secrets.token_urlsafe(32)).issue("8c4f6e0e-4e56-4c7c-9a55-2b1e4d0b8d11", "access")


@pytest.fixture
def limited_api(security_lab: FaultLab) -> Iterator[PlatformProcess]:
    """An API with the default limits on a Valkey database of its own: every API process of the
    session counts 127.0.0.1 under the same keys, whatever limits it applies."""
    redis_url = security_lab.redis_url.rsplit("/", 1)[0] + "/9"
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    api = security_lab.api(rate_limit_profile="default", REDIS_URL=redis_url)
    try:
        yield api
    finally:
        security_lab.stop(api)
        client.flushdb()
        client.close()


def test_undecodable_credential_bytes_are_a_401_never_a_500(api: PlatformProcess) -> None:
    for value in (b"Bearer \xff", b"Bearer \xc3\x28\xa0\xa1", b"Bearer bw_lab_\xff" + b"A" * 42,
                  b"Bearer eyJ\xff.eyJ.sig", b"\xff\xfe \xff", b"Bearer \xe2\x80\x8bzero-width"):
        assert _raw(api, "GET", PROBLEMS, {"Authorization": value}) == 401, value
        assert _raw(api, "POST", HEARTBEAT, {"Authorization": value}) == 401, value
    # X-API-Key is not a credential here; undecodable bytes in it (or anywhere) change nothing.
    assert _raw(api, "GET", PROBLEMS, {"X-API-Key": b"\xff\xfe", "User-Agent": b"\xff"}) == 200
    assert _raw(api, "POST", HEARTBEAT, {"X-API-Key": b"\xff"}) == 401
    assert "Traceback" not in api.log(400) and "UnicodeEncodeError" not in api.log(400)


def test_a_token_that_cannot_be_valid_costs_no_database_lookup(
        security_lab: FaultLab, limited_api: PlatformProcess) -> None:
    malformed = [
        "sk_live_" + secrets.token_urlsafe(32),        # another vendor's prefix
        "bw_lab_" + secrets.token_urlsafe(32)[:42],   # one character short
        "bw_lab_" + secrets.token_urlsafe(33),        # too long
        "bw_lab_" + "+/" * 21 + "A",                  # not the url-safe alphabet
        "BW_LAB_" + secrets.token_urlsafe(32),        # wrong case
        "bw__" + secrets.token_urlsafe(32),           # no environment
        "eyJhbGciOiJIUzI1NiJ9.not-a-jwt",             # two parts
        "x" * 5_000,                                  # longer than any token issued here
    ]
    with security_lab.frozen_postgres():
        for token in malformed:
            started = time.monotonic()
            answer = call("GET", limited_api.url + PROBLEMS, headers=bearer(token), timeout_s=10)
            elapsed_s = time.monotonic() - started
            assert answer.status == 401 and elapsed_s < FAST_S, (token[:20], answer.status, elapsed_s)
        # The probe is real: a well-shaped key does need the database, which is not answering.
        with pytest.raises(TimeoutError):
            call("GET", limited_api.url + PROBLEMS, headers=bearer(_random_key()), timeout_s=1.0)
        # Once the IP has used up its failures, even a well-shaped key gets a fast 429, unlooked.
        statuses = [call("GET", limited_api.url + PROBLEMS, headers=bearer(malformed[0])).status
                    for _ in range(THRESHOLD - len(malformed) + 1)]
        assert statuses[-2:] == [401, 429], statuses
        started = time.monotonic()
        answer = call("GET", limited_api.url + PROBLEMS, headers=bearer(_random_key()), timeout_s=10)
        assert answer.status == 429 and time.monotonic() - started < FAST_S, answer.text


def test_guessing_hits_429_after_the_threshold_and_valid_credentials_keep_working(
        limited_api: PlatformProcess) -> None:
    base = limited_api.url
    _, agent_key = new_agent(base)
    _, idle_agent_key = new_agent(base)  # registered, never used: not in the API's key cache
    tokens, _, _ = new_user(base)
    assert call("POST", base + HEARTBEAT, headers=bearer(agent_key)).status == 200

    key_statuses = [call("GET", base + PROBLEMS, headers=bearer(_random_key())).status for _ in range(300)]
    assert key_statuses[:THRESHOLD] == [401] * THRESHOLD, Counter(key_statuses)
    assert set(key_statuses[THRESHOLD:]) == {429}
    jwt_statuses = Counter(call("GET", base + PROBLEMS, headers=bearer(_bad_jwt())).status for _ in range(100))
    assert jwt_statuses == Counter({429: 100})

    refused = call("GET", base + PROBLEMS, headers=bearer(_random_key()))
    assert refused.body["error"] == "rate_limited" and refused.body["details"]["class"] == AUTH_FAILURE_CLASS
    assert 1 <= int(refused.headers["Retry-After"]) <= DEFAULT_AUTH_FAILURE_LIMIT.window_s
    assert refused.headers["Retry-After"] == str(refused.body["details"]["retryAfter"])

    # Valid credentials whose check needs no database keep working from the same IP ...
    assert call("GET", base + PROBLEMS, headers=bearer(tokens["accessToken"])).status == 200
    assert call("POST", base + HEARTBEAT, headers=bearer(agent_key)).status == 200
    assert call("GET", base + PROBLEMS).status == 200  # anonymous reads are not credentials
    # ... while a key this process has not verified lately waits for the window, like a guess.
    assert call("POST", base + HEARTBEAT, headers=bearer(idle_agent_key)).status == 429
    assert limited_api.metric("rate_limit_rejections_total", **{"class": AUTH_FAILURE_CLASS}) >= 381
