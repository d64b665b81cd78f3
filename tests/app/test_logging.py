"""The redaction processor, on its own (the server-process test proves it on real output)."""

from __future__ import annotations

from app.logging import REDACTED, redact_secrets

KEY = "bw_prod_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_secrets_are_redacted_wherever_they_appear() -> None:
    event = {
        "event": f"login with {KEY}",
        "Authorization": "Bearer whatever",
        "headers": {"authorization": "Bearer x", "User-Agent": f"bot {JWT}", "x-api-key": "k"},
        "body": {"password": "hunter2hunter2", "nested": [f"token={JWT}", {"refreshToken": JWT}]},
        "note": "Bearer some-opaque-credential and more",
        "count": 3,
    }
    out = redact_secrets(None, "info", dict(event))
    text = repr(out)
    for secret in (KEY, JWT, "hunter2hunter2", "some-opaque-credential", "Bearer x"):
        assert secret not in text
    assert out["Authorization"] == REDACTED and out["body"]["password"] == REDACTED
    assert out["headers"]["User-Agent"] == f"bot {REDACTED}" and out["count"] == 3
    assert out["event"] == f"login with {REDACTED}"


def test_ordinary_text_is_left_alone() -> None:
    out = redact_secrets(None, "info", {"event": "request", "path": "/api/v1/problems", "route": "/x/{id}"})
    assert out == {"event": "request", "path": "/api/v1/problems", "route": "/x/{id}"}
