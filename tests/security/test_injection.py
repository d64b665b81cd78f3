"""Hostile input in every parameter: SQL injection, NUL bytes, huge numbers, odd unicode, JSON
bombs. Every answer is a 2xx or a 4xx (never a 5xx, never internal details), and the data that
existed before is exactly as it was; what was created holds the hostile text literally."""

from __future__ import annotations

import copy
import hashlib
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from harness.faults.lab import FaultLab, PlatformProcess

from .client import Answer, bearer, call, new_agent, new_user

STRINGS = [
    "' OR 1=1 --", "1 OR 1=1", "'; DROP TABLE problems; --", "\" OR \"\"=\"", "1' UNION SELECT api_key_hash FROM agents --",
    "%00", "\x00", "a\x00b", "9" * 400, "-9223372036854775809", "1e309", "NaN", "Infinity", "-0",
    "\U0001F600" * 500, "\u202e\u0301\ufeff", "\ud800", "{\"$gt\": \"\"}", "<script>alert(1)</script>",
    "../../etc/passwd", "${jndi:ldap://127.0.0.1/x}", "%s%s%s%n", "\\", "",
]
NUMBERS: list[Any] = [10**400, -(10**400), 2**63, -(2**63) - 1, 1e308, -1, 0, True, None, [], {}, "12"]
LEAKS = ("psycopg", "traceback", "syntax error", "select ", "insert into", "postgres")

PROBLEM = {
    "title": "Injection probe", "description": "A problem body used to carry hostile values.",
    "domain": "environmental_protection", "severity": "medium", "affectedPopulationEstimate": "1,000",
    "geographicScope": "local", "locationName": "Test City", "latitude": 37.7, "longitude": -122.4,
    "dataSources": ["a"], "evidenceLinks": ["https://example.org"],
    "selfAudit": {"aligned": True, "domain": "environmental_protection", "justification": "probe"},
}
PROBLEM_FIELDS = [("title",), ("description",), ("domain",), ("severity",), ("affectedPopulationEstimate",),
                  ("geographicScope",), ("locationName",), ("latitude",), ("longitude",), ("dataSources", 0),
                  ("evidenceLinks", 0), ("selfAudit", "justification"), ("selfAudit", "aligned")]
AGENT = {"username": "probe-agent", "framework": "custom", "modelProvider": "anthropic", "modelName": "m",
         "specializations": ["water"], "soulSummary": ""}
USER = {"email": "probe@example.org", "password": "a long enough passphrase", "displayName": "Probe"}


def _with(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def _snapshot(database_url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and a digest of every row, in id order."""
    tables = ("agents", "users", "problems", "missions", "evidence", "guardrail_evaluations")
    found = {}
    with psycopg.connect(database_url) as conn:
        for table in tables:
            rows = conn.execute(f"SELECT t::text FROM {table} t ORDER BY id").fetchall()
            found[table] = (len(rows), hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest())
    return found


class Prober:
    def __init__(self, api: PlatformProcess, key: str, jwt: str) -> None:
        self.api, self.key, self.jwt = api, key, jwt
        self.answers: list[tuple[str, Answer]] = []

    def send(self, label: str, method: str, path: str, **kwargs: Any) -> Answer:
        answer = call(method, self.api.url + path, **kwargs)
        self.answers.append((label, answer))
        return answer

    def bad(self) -> list[str]:
        problems = []
        for label, answer in self.answers:
            lowered = answer.text.lower()
            if answer.status >= 500 or any(leak in lowered for leak in LEAKS):
                problems.append(f"{label} -> {answer.status} {answer.text[:200]}")
        return problems

    def created(self, prefix: str) -> int:
        return sum(1 for label, answer in self.answers if label.startswith(prefix) and answer.status in (201, 202))


def _query_targets(value: str) -> list[tuple[str, str]]:
    if not _url_safe(value):
        return []
    quoted = urllib.parse.quote(value, safe="")
    targets = [(f"list ?{p}", f"/api/v1/problems?{p}={quoted}") for p in ("limit", "domain", "severity", "status",
                                                                           "cursor", "unknown")]
    base = {"lat": "10", "lng": "20", "radius": "50", "limit": "5"}
    for param in base:
        query = urllib.parse.urlencode({**base, param: value})
        targets.append((f"nearby ?{param}", f"/api/v1/missions/nearby?{query}"))
    targets.append(("problem /{id}", f"/api/v1/problems/{quoted}"))
    return targets


def _url_safe(value: str) -> bool:
    """A lone surrogate has no UTF-8 form: it can travel in JSON (escaped), not in a URL."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture(scope="module")
def prober(api: PlatformProcess) -> Prober:
    _, key = new_agent(api.url)
    tokens, _, _ = new_user(api.url)
    return Prober(api, key, tokens["accessToken"])


def test_hostile_values_in_every_parameter_get_4xx_and_change_nothing(prober: Prober, security_lab: FaultLab) -> None:
    before = _snapshot(security_lab.database_url)
    for index, value in enumerate(STRINGS):
        for label, path in _query_targets(value):
            prober.send(label, "GET", path, headers=bearer(prober.jwt) if index % 2 else None)
        if _url_safe(value):
            quoted = urllib.parse.quote(value, safe="")
            prober.send("evidence /{id}", "POST", f"/api/v1/missions/{quoted}/evidence", raw=b"x",
                        headers={**bearer(prober.key), "Content-Type": "multipart/form-data; boundary=x"})
        for field in PROBLEM_FIELDS:
            prober.send(f"create problem {field}", "POST", "/api/v1/problems", body=_with(PROBLEM, field, value),
                        headers=bearer(prober.key))
        for field in ("username", "framework", "modelProvider", "modelName", "soulSummary"):
            body = _with(AGENT, (field,), value) if field != "username" else _with(AGENT, (field,), f"p{index}{value}")
            prober.send(f"register agent {field}", "POST", "/api/v1/auth/agents/register",
                        body=body if field == "username" else _with(body, ("username",), f"inj-{index}-{field}"))
        prober.send("register agent specializations", "POST", "/api/v1/auth/agents/register",
                    body=_with(_with(AGENT, ("specializations",), [value]), ("username",), f"inj-{index}-spec"))
        for field in ("email", "password", "displayName"):
            body = _with(USER, (field,), value)
            if field != "email":
                body["email"] = f"inj{index}{field.lower()}@example.org"
            prober.send(f"register user {field}", "POST", "/api/v1/auth/register", body=body)
        prober.send("login email", "POST", "/api/v1/auth/login", body={"email": value, "password": "x"})
        prober.send("login password", "POST", "/api/v1/auth/login", body={"email": USER["email"], "password": value})
        prober.send("refresh", "POST", "/api/v1/auth/refresh", body={"refreshToken": value})
        if not any(c in value for c in "\x00\r\n") and value.isascii():  # what an HTTP header can carry
            prober.send("authorization header", "GET", "/api/v1/problems?limit=1", headers=bearer(value))
            prober.send("request id header", "GET", "/health", headers={"X-Request-Id": value})
    for value in NUMBERS:
        for field in (("latitude",), ("longitude",), ("title",), ("selfAudit", "aligned"), ("dataSources",)):
            prober.send(f"create problem {field}", "POST", "/api/v1/problems", body=_with(PROBLEM, field, value),
                        headers=bearer(prober.key))
    assert prober.bad() == []
    assert len(prober.answers) > 900
    statuses = {answer.status for _, answer in prober.answers}
    assert statuses <= {200, 201, 202, 400, 401, 404, 409, 413, 415}, statuses
    after = _snapshot(security_lab.database_url)
    for table in ("missions", "evidence", "guardrail_evaluations"):
        assert after[table] == before[table], f"{table} changed"
    assert after["problems"][0] - before["problems"][0] == prober.created("create problem")
    assert after["agents"][0] - before["agents"][0] == prober.created("register agent")
    assert after["users"][0] - before["users"][0] == prober.created("register user")
    with psycopg.connect(security_lab.database_url) as conn:
        titles = {row[0] for row in conn.execute("SELECT title FROM problems WHERE title <> %s", (PROBLEM["title"],))}
    stored_literally = {value for value in STRINGS if value in titles}
    assert "' OR 1=1 --" in stored_literally and "'; DROP TABLE problems; --" in stored_literally


def _raw_json(prober: Prober, label: str, path: str, raw: bytes, key: bool = True,
              content_type: str = "application/json") -> Answer:
    headers = {"Content-Type": content_type, **(bearer(prober.key) if key else {})}
    return prober.send(label, "POST", path, raw=raw, headers=headers)


BOMBS: dict[str, Callable[[], bytes]] = {
    "100k nested arrays": lambda: b"[" * 100_000 + b"]" * 100_000,
    "100k nested objects": lambda: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep nesting inside a valid body": lambda: json.dumps({**PROBLEM, "dataSources": []}).encode()[:-1]
    + b', "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "a million-digit number": lambda: json.dumps(PROBLEM).encode().replace(b"37.7", b"1" * 1_000_000),
    "50k keys": lambda: json.dumps({f"k{i}": i for i in range(50_000)}).encode(),
    "2 MB string": lambda: json.dumps({**PROBLEM, "description": "x" * 2_000_000}).encode(),
    "invalid UTF-8": lambda: b'{"title": "\xff\xfe", "description": "d", "domain": "x", "severity": "low"}',
    "lone surrogate escape": lambda: b'{"title": "\\ud800", "description": "d", "domain": "x", "severity": "low"}',
    "not JSON": lambda: b"title=a&description=b",
    "top-level array": lambda: b"[1, 2, 3]",
    "empty": lambda: b"",
    "NaN literal": lambda: json.dumps(PROBLEM).encode().replace(b"37.7", b"NaN"),
}


@pytest.mark.parametrize("bomb", BOMBS)
def test_json_bombs_are_refused_with_4xx(prober: Prober, bomb: str) -> None:
    raw = BOMBS[bomb]()
    for label, path, key in (("create problem", "/api/v1/problems", True),
                             ("register agent", "/api/v1/auth/agents/register", False),
                             ("login", "/api/v1/auth/login", False)):
        answer = _raw_json(prober, f"{bomb}: {label}", path, raw, key=key)
        assert 400 <= answer.status < 500, f"{label}: {answer.status} {answer.text[:200]}"
    answer = _raw_json(prober, f"{bomb}: as text/plain", "/api/v1/problems", raw, content_type="text/plain")
    assert 400 <= answer.status < 500
    assert prober.bad() == []
    assert call("GET", prober.api.url + "/health").status == 200  # and the server is still fine


def test_duplicate_keys_resolve_one_way_the_last_wins(prober: Prober, security_lab: FaultLab) -> None:
    # Not an error in JSON (RFC 8259 leaves it to the parser); what matters is one reading, no 5xx.
    raw = json.dumps({**PROBLEM, "title": "first"}).encode()[:-1] + b', "title": "last duplicate"}'
    answer = _raw_json(prober, "duplicate keys", "/api/v1/problems", raw)
    assert answer.status == 202, answer.text
    with psycopg.connect(security_lab.database_url) as conn:
        (title,) = conn.execute("SELECT title FROM problems WHERE id = %s", (answer.body["id"],)).fetchone()
    assert title == "last duplicate"
