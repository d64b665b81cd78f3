"""No credential is committed: the scanner catches each kind of secret, lets obvious placeholders
through, and finds nothing in the repository's tracked files (failures name file and line)."""

from __future__ import annotations

import secrets
import string

import pytest

from .conftest import REPO
from .secret_scan import scan_repository, scan_text


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


# Built at run time so that this file holds no secret-shaped literal.
ALNUM = string.ascii_letters + string.digits
SECRETS_THAT_MUST_BE_FOUND = {
    "private key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
    "AWS access key id": "aws_access_key_id = " + "AKIA" + _random(string.ascii_uppercase + string.digits, 16),
    "AWS secret access key": "aws_secret_access_key=" + _random(ALNUM + "/+", 40),
    "Anthropic API key": "client = Anthropic(api_key='" + "sk-" + "ant-api03-" + _random(ALNUM, 40) + "')",
    "GitHub token": "token: " + "gh" + "p_" + _random(ALNUM, 36),
    "BetterWorld API key": "Authorization: Bearer " + "bw_" + "live_" + secrets.token_urlsafe(32),
    "password in a URL": "DATABASE_URL=postgresql://app:" + secrets.token_hex(12) + "@db.internal:5432/app",
    "high-entropy value assigned to JWT_SECRET": "JWT_SECRET=" + secrets.token_urlsafe(32),
    "high-entropy value assigned to api_key": 'settings = {"api_key": "' + secrets.token_hex(24) + '"}',
}

PLACEHOLDERS_THAT_PASS = [
    "JWT_SECRET=change-me-jwt-secret-at-least-32-characters",
    "POSTGRES_PASSWORD=",
    "REDIS_URL: redis://:${REDIS_PASSWORD:?set it}@redis:6379/0",
    "STAGING_URL: ${{ secrets.STAGING_URL }}",
    'JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789"',
    "jwt_secret=env.get('JWT_SECRET') or cls.jwt_secret",
    "api_key_pepper: str = field(default=\"dev-only-api-key-pepper\", repr=False)",
    "ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY:-emulator-key}",
    "token = secrets.token_urlsafe(32)",
    "fake = '" + "sk-" + "ant-" + _random(ALNUM, 30) + "'  # secret-scan: allow",
]


@pytest.mark.parametrize("kind", sorted(SECRETS_THAT_MUST_BE_FOUND))
def test_the_scanner_finds_each_kind_of_secret(kind: str) -> None:
    findings = scan_text("x = 1\n" + SECRETS_THAT_MUST_BE_FOUND[kind] + "\n", "example.txt")
    assert [(f.line, f.kind) for f in findings] == [(2, kind)], findings


# Ids by position: a line holding a random fake key would name the test differently in each process (xdist).
@pytest.mark.parametrize("line", PLACEHOLDERS_THAT_PASS, ids=[f"line{i}" for i in range(len(PLACEHOLDERS_THAT_PASS))])
def test_the_scanner_lets_placeholders_and_references_through(line: str) -> None:
    assert scan_text(line, "example.txt") == []


def test_no_secret_is_committed() -> None:
    findings = scan_repository(REPO)
    assert not findings, "possible secrets in tracked files (rotate, then remove; or mark a deliberate fake " \
                         "with `secret-scan: allow`):\n" + "\n".join(map(str, findings))
