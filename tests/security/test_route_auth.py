"""Authentication on every non-public route, found by walking the route table (app.routes.ROUTES).

A route is public only if it is on the list below; anything else must refuse a caller without
credentials (401) and a caller with the wrong kind of credentials (401 or 403). Adding a route
without credentials, or making one public, fails here until the list says so on purpose.
"""

from __future__ import annotations

import re

import pytest

from app.routes import ROUTES, RouteSpec
from app.security import JwtKeys
from harness.faults.lab import PlatformProcess

from .client import Answer, bearer, call, new_agent, new_user
from .conftest import JWT_SECRET

PUBLIC = {
    # operations: probes and scrapes, no credentials read
    "health", "ready", "metrics", "openapi",
    # the credentials routes themselves
    "registerAgent", "registerUser", "login", "refreshTokens",
    # reads open to anonymous callers (rate-limited per IP); any credentials sent must be valid
    "listProblems", "getProblem", "nearbyMissions",
}
NON_PUBLIC = [spec for spec in ROUTES if spec.name not in PUBLIC]


def _url(base: str, spec: RouteSpec) -> str:
    return base + re.sub(r"{\w+}", "1", spec.path)


def _send(base: str, spec: RouteSpec, headers: dict[str, str] | None = None) -> Answer:
    body = None if spec.method == "GET" else b"{}"
    return call(spec.method, _url(base, spec), raw=body, headers={"Content-Type": "application/json", **(headers or {})})


def test_the_walk_covers_every_route_and_the_document_agrees() -> None:
    assert {spec.name for spec in ROUTES} >= PUBLIC, "a public route was removed: update PUBLIC"
    assert [spec.name for spec in NON_PUBLIC] == ["agentHeartbeat", "createProblem", "uploadEvidence"]
    assert all(spec.access == "agent" for spec in NON_PUBLIC)
    assert all(spec.access in {"ops", "credentials", "optional"} for spec in ROUTES if spec.name in PUBLIC)


@pytest.fixture(scope="module")
def wrong_credentials(api: PlatformProcess) -> dict[str, dict[str, str]]:
    tokens, _, _ = new_user(api.url)
    return {
        "human access token": bearer(tokens["accessToken"]),
        "human refresh token": bearer(tokens["refreshToken"]),
        "expired access token": bearer(JwtKeys(secret=JWT_SECRET).issue(tokens["userId"], "access", now_s=1_000_000)),
        "token signed by someone else": bearer(JwtKeys(secret="x" * 40).issue(tokens["userId"], "access")),
        "unknown agent key": bearer("bw_lab_" + "A" * 43),
        "basic auth": {"Authorization": "Basic YWdlbnQ6c2VjcmV0"},
        "empty bearer": {"Authorization": "Bearer "},
        "key without scheme": {"Authorization": "bw_lab_" + "A" * 43},
    }


@pytest.mark.parametrize("spec", NON_PUBLIC, ids=lambda spec: spec.name)
def test_a_non_public_route_refuses_a_caller_without_credentials(api: PlatformProcess, spec: RouteSpec) -> None:
    answer = _send(api.url, spec)
    assert answer.status == 401, answer.text
    assert answer.headers.get("WWW-Authenticate") == "Bearer" and answer.body["error"] == "unauthorized"


@pytest.mark.parametrize("spec", NON_PUBLIC, ids=lambda spec: spec.name)
def test_a_non_public_route_refuses_the_wrong_kind_of_credentials(api: PlatformProcess, spec: RouteSpec,
                                                                   wrong_credentials: dict[str, dict[str, str]]) -> None:
    for kind, headers in wrong_credentials.items():
        answer = _send(api.url, spec, headers)
        expected = {403} if kind == "human access token" else {401}
        assert answer.status in expected, f"{spec.name} with {kind}: {answer.status} {answer.text}"


@pytest.mark.parametrize("spec", [s for s in ROUTES if s.access == "optional"], ids=lambda spec: spec.name)
def test_routes_open_to_anyone_still_refuse_bad_credentials(api: PlatformProcess, spec: RouteSpec,
                                                            wrong_credentials: dict[str, dict[str, str]]) -> None:
    for kind, headers in wrong_credentials.items():
        if kind == "human access token":
            continue  # a valid credential of an accepted kind
        answer = _send(api.url, spec, headers)
        assert answer.status == 401, f"{spec.name} with {kind}: {answer.status} {answer.text}"


def test_the_right_credentials_pass(api: PlatformProcess) -> None:
    _, key = new_agent(api.url)
    assert call("POST", api.url + "/api/v1/agents/heartbeat", headers=bearer(key)).status == 200
