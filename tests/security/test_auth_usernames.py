"""Agent usernames are unique regardless of case, like emails (issue 18 point 10), on a real API
process: "Alice" after "alice" is a 409, whichever comes first; the name keeps its case."""

from __future__ import annotations

import secrets

from harness.faults.lab import FaultLab, PlatformProcess

from .client import Answer, call

REGISTER = "/api/v1/auth/agents/register"


def _register(api: PlatformProcess, username: str) -> Answer:
    return call("POST", api.url + REGISTER, body={
        "username": username, "framework": "custom", "modelProvider": "anthropic", "modelName": "m",
        "specializations": [], "soulSummary": ""})


def test_usernames_differing_only_in_case_are_one_name(api: PlatformProcess, security_lab: FaultLab) -> None:
    tag = secrets.token_hex(4)
    first = _register(api, f"alice-{tag}")
    assert first.status == 201, first.text
    for variant in (f"Alice-{tag}", f"ALICE-{tag}", f"aLiCe-{tag}"):
        answer = _register(api, variant)
        assert answer.status == 409, (variant, answer.text)
        assert answer.body["details"]["field"] == "username" and "case" in answer.body["message"]
    mixed = _register(api, f"Bob-{tag}")
    assert mixed.status == 201 and mixed.body["username"] == f"Bob-{tag}"  # kept as written
    assert _register(api, f"bob-{tag}").status == 409
    # Stored as written, found by either case through the index on lower(username).
    assert security_lab.sql("SELECT username FROM agents WHERE lower(username) = lower(%s)",
                            (f"BOB-{tag}",)) == [(f"Bob-{tag}",)]


def test_the_schema_enforces_it_not_only_the_view(security_lab: FaultLab) -> None:
    indexes = dict(security_lab.sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'agents' AND indexdef LIKE '%%UNIQUE%%'"))
    assert "lower(username)" in indexes.get("agents_username_lower_key", ""), indexes
    assert "agents_username_key" not in indexes  # 001's case-sensitive constraint is replaced
