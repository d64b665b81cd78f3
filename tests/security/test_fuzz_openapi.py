"""Fuzzing: schemathesis against the OpenAPI document, every operation, on a real API process.

Each operation gets up to MAX_EXAMPLES generated requests (valid and invalid data, wrong methods,
missing credentials), sent to `python -m app api` on the session's embedded PostgreSQL and
Valkey with the `loadtest` rate-limit profile. Every response must be free of 5xx and conform to
the document (status, content type, headers, body schema), and the operation must reject invalid
data and accept valid data. Credentials come from a schemathesis auth provider: an agent API key
for agent routes, and a rotation of anonymous / agent key / human JWT for the routes that accept
any caller, so authenticated paths are exercised past the 401.

The last test checks the totals: at least MIN_REQUESTS requests, zero 5xx, and no operation that
failed a check (the failing operation's own test shows the reproducing request).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections import Counter
from typing import Any

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.openapi import build_openapi
from app.security import JwtKeys, hash_api_key, new_api_key
from harness.faults.lab import FaultLab, PlatformProcess, http_json

from .conftest import API_KEY_PEPPER, FAILED_FUZZ_ITEMS, JWT_SECRET

# Run alone, after the parallel part of `make test` (its last test totals what every fuzz test of this module counted: all in one process).
pytestmark = pytest.mark.serial

# CI: 100 per operation, ~1,500 requests in well under a minute; FUZZ_MAX_EXAMPLES=1000 for a deep run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "100"))
MIN_REQUESTS = 1000

# Credentials exist before the server does (schemathesis asks for them while it builds the tests);
# the module fixture stores the matching rows.
AGENT_KEY = new_api_key("fuzz")
USER_ID = str(uuid.uuid4())
USER_JWT = JwtKeys(secret=JWT_SECRET, access_ttl_s=3600).issue(USER_ID, "access")

ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]
CONFIG = SchemathesisConfig.from_dict({
    "operations": [
        # Schema-valid data the document itself says may be refused; nothing else may be.
        # The cursor is opaque: a string the API did not issue is refused (400), as its description says.
        {"include-operation-id": "listProblems",
         "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}}},
        # A file is judged by its content (magic bytes), which no schema can express: bytes that are
        # not JPEG, PNG, WebP, GIF or PDF get the declared 415.
        {"include-operation-id": "uploadEvidence",
         "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "415"]}}},
    ],
})
schema = schemathesis.openapi.from_dict(build_openapi(), config=CONFIG)

STATS: dict[str, Any] = {"requests": 0, "statuses": Counter(), "server_errors": [], "violations": [],
                         "authenticated": Counter()}


@schema.auth(refresh_interval=None)
class PlatformCredentials:
    """Agent key for agent routes; anonymous, agent key and JWT in turn where any caller may come."""

    def __init__(self) -> None:
        self._turn = itertools.count()

    def get(self, case: Any, context: Any) -> str | None:
        security = context.operation.definition.raw.get("security") or []
        schemes = [next(iter(requirement), None) for requirement in security]
        if not schemes:
            return None
        scheme = schemes[next(self._turn) % len(schemes)]
        return {"agentKey": AGENT_KEY, "bearerJwt": USER_JWT}.get(scheme or "")

    def set(self, case: Any, data: str | None, context: Any) -> None:
        if data:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def fuzz_target(security_lab: FaultLab, api: PlatformProcess) -> PlatformProcess:
    tag = uuid.uuid4().hex[:8]
    with psycopg.connect(security_lab.database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO agents (username, framework, model_provider, model_name, api_key_prefix, "
                     "api_key_hash) VALUES (%s, 'fuzz', 'fuzz', 'fuzz', %s, %s)",
                     (f"fuzz-{tag}", AGENT_KEY[:12], hash_api_key(AGENT_KEY, API_KEY_PEPPER)))
        conn.execute("INSERT INTO users (id, email, display_name, password_hash) VALUES (%s, %s, 'Fuzz', 'x')",
                     (USER_ID, f"fuzz-{tag}@example.org"))
        conn.execute("INSERT INTO missions (title, description, domain, latitude, longitude) "
                     "SELECT 'fuzz mission', 'd', 'environmental_protection', 10, 20 FROM generate_series(1, 5)")
    return api


def test_the_document_fuzzed_is_the_one_served(api: PlatformProcess) -> None:
    status, served = http_json("GET", api.url + "/api/v1/openapi.json")
    assert status == 200 and served == build_openapi(version=served["info"]["version"])


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_fuzz(case: Any, fuzz_target: PlatformProcess) -> None:
    response = case.call(base_url=fuzz_target.url, timeout=30)
    STATS["requests"] += 1
    STATS["statuses"][response.status_code] += 1
    if "Authorization" in (case.headers or {}):
        STATS["authenticated"][response.status_code] += 1
    if response.status_code >= 500:
        STATS["server_errors"].append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                      f"{response.text[:300]}")
    try:
        case.validate_response(response)
    except Exception:
        STATS["violations"].append(f"{case.method} {case.formatted_path} -> {response.status_code}")
        raise


def test_fuzzing_totals(request: pytest.FixtureRequest) -> None:
    fuzzed = [item for item in request.session.items if item.originalname == "test_fuzz"]
    if not fuzzed:
        pytest.skip("the fuzz tests were deselected")
    print(f"\nfuzzing: {STATS['requests']} requests, statuses {dict(sorted(STATS['statuses'].items()))}, "
          f"authenticated {dict(sorted(STATS['authenticated'].items()))}, "
          f"5xx {len(STATS['server_errors'])}, operations with violations {len(FAILED_FUZZ_ITEMS)}")
    assert STATS["server_errors"] == []
    assert STATS["violations"] == [] and FAILED_FUZZ_ITEMS == []
    assert STATS["requests"] >= MIN_REQUESTS
    # Authenticated paths were reached past the 401: successes with credentials.
    assert sum(n for status, n in STATS["authenticated"].items() if 200 <= status < 300) >= 50
