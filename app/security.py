"""Credentials: agent API keys, human passwords, and JWT access/refresh tokens.

- API keys are `bw_<env>_<43 url-safe chars>` (256 random bits), shown once and stored only as
  HMAC-SHA256(pepper, key): a keyed hash, looked up by equality in one indexed query. A slow
  password hash is pointless for 256-bit random secrets and would cap registration throughput.
  A token not of exactly that shape cannot be a key this app issued, so it never costs a lookup.
- Passwords use argon2id (argon2-cffi defaults, RFC 9106 low-memory profile). Hashing costs tens of
  milliseconds of CPU, so it runs in a thread executor to keep the event loop serving.
- JWTs are HS256 with `sub`, `iat`, `exp`, `jti` and `typ` ("access" or "refresh"); a refresh
  token also names its family (`fam`, one per login) for rotation with reuse detection
  (app/views/auth.py). Verification tries the current secret, then the previous one (seed 6.1
  dual-key rotation), and refuses a token of the other type.
- Header values are client bytes: aiohttp hands undecodable ones over as surrogates. Anything not
  printable ASCII is refused as malformed (401) before it reaches a parser or a hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import Unauthorized

TokenType = Literal["access", "refresh"]
API_KEY_PREFIX_CHARS = 12  # kept in the table for support ("which key is this?"), never the key
API_KEY_SECRET_CHARS = 43  # secrets.token_urlsafe(32): 256 bits, base64url without padding
# Exactly what `new_api_key` makes. The environment is not pinned to this deployment's, so keys
# stay valid when BW_ENV is renamed; the log redactor (app/logging.py) matches a wider shape.
_API_KEY_SHAPE = re.compile(rf"bw_[a-z]{{1,32}}_[A-Za-z0-9_-]{{{API_KEY_SECRET_CHARS}}}")
# header.payload.signature, base64url; our tokens are ~250 characters, so 4 KiB is generous.
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
MAX_JWT_CHARS = 4096
_JWT_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "typ"]


# ---- API keys -----------------------------------------------------------------------------

def key_environment(environment: str) -> str:
    """The `<env>` part of a key: lower-case letters only, so the log redactor always matches."""
    letters = re.sub(r"[^a-z]", "", environment.lower())
    return letters or "dev"


def new_api_key(environment: str) -> str:
    return f"bw_{key_environment(environment)}_{secrets.token_urlsafe(32)}"


def hash_api_key(api_key: str, pepper: str) -> bytes:
    return hmac.new(pepper.encode(), api_key.encode(), hashlib.sha256).digest()


def looks_like_api_key(token: str) -> bool:
    """True only for the exact shape of a key this app issues (prefix, length and alphabet)."""
    return _API_KEY_SHAPE.fullmatch(token) is not None


def bearer_token(header: str) -> str:
    """The token of an `Authorization: Bearer <token>` value, or Unauthorized (never a 500:
    undecodable header bytes arrive as surrogates and are refused here)."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be `Bearer <API key or access token>`")
    if not (token.isascii() and token.isprintable()):
        raise Unauthorized("the bearer token must be printable ASCII")
    return token


class AgentKeyCache:
    """Recently seen key hashes -> agent id, so most agent requests skip the lookup query.

    Only successful lookups are cached, so a new key works at once; keys are never edited, and
    an entry lives `ttl_s` at most, which bounds how long a deleted agent's key keeps working.
    """

    def __init__(self, *, ttl_s: float = 60.0, max_entries: int = 50_000) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[bytes, tuple[str, float]] = {}

    def get(self, key_hash: bytes) -> str | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[1] < time.monotonic():
            del self._entries[key_hash]
            return None
        return entry[0]

    def put(self, key_hash: bytes, agent_id: str) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.pop(next(iter(self._entries)))  # the oldest insertion
        self._entries[key_hash] = (agent_id, time.monotonic() + self._ttl_s)


# ---- passwords ----------------------------------------------------------------------------

_hasher = PasswordHasher()
# Verified when the email is unknown, so that "no such user" costs the same time as a bad password.
_DUMMY_HASH = _hasher.hash("dummy password for constant-time login failures")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, _hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    loop = asyncio.get_running_loop()
    if stored_hash is None:
        await loop.run_in_executor(None, _verify, _DUMMY_HASH, password)
        return False
    return await loop.run_in_executor(None, _verify, stored_hash, password)


# ---- JWT ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in_s: int
    refresh_jti: str = ""  # what the refresh-token family row records as its current token
    refresh_expires_at_s: int = 0


@dataclass(frozen=True)
class JwtKeys:
    """Signing secret plus the previous one, still accepted during a rotation's grace period."""

    secret: str
    previous: str | None = None
    access_ttl_s: int = 15 * 60
    refresh_ttl_s: int = 7 * 24 * 3600

    def issue(
        self, subject: str, token_type: TokenType, *, now_s: int | None = None, jti: str | None = None,
        family: str | None = None,
    ) -> str:
        issued = int(time.time()) if now_s is None else now_s
        ttl = self.access_ttl_s if token_type == "access" else self.refresh_ttl_s
        claims: dict[str, object] = {
            "sub": subject,
            "iat": issued,
            "exp": issued + ttl,
            "jti": jti or uuid.uuid4().hex,
            "typ": token_type,
        }
        if family is not None:
            claims["fam"] = family
        return jwt.encode(claims, self.secret, algorithm=_JWT_ALGORITHM)

    def issue_pair(self, subject: str, *, family: str | None = None) -> TokenPair:
        """An access token and a refresh token; the refresh token belongs to `family` if given."""
        issued = int(time.time())
        refresh_jti = uuid.uuid4().hex
        return TokenPair(
            access_token=self.issue(subject, "access", now_s=issued),
            refresh_token=self.issue(subject, "refresh", now_s=issued, jti=refresh_jti, family=family),
            expires_in_s=self.access_ttl_s,
            refresh_jti=refresh_jti,
            refresh_expires_at_s=issued + self.refresh_ttl_s,
        )

    def verify(self, token: str, expected: TokenType) -> dict[str, object]:
        """The token's claims, or Unauthorized. Tries the current secret, then the previous."""
        if len(token) > MAX_JWT_CHARS or _JWT_SHAPE.fullmatch(token) is None:
            raise Unauthorized("the token is malformed")  # not even three base64url parts: no parsing
        secrets_to_try = [self.secret] + ([self.previous] if self.previous else [])
        claims: dict[str, object] | None = None
        for secret in secrets_to_try:
            try:
                claims = jwt.decode(
                    token, secret, algorithms=[_JWT_ALGORITHM], options={"require": _REQUIRED_CLAIMS}
                )
                break
            except jwt.InvalidSignatureError:
                continue  # maybe signed with the other secret
            except jwt.ExpiredSignatureError:
                raise Unauthorized("the token has expired") from None
            except jwt.InvalidTokenError:
                raise Unauthorized("the token is malformed") from None
        if claims is None:
            raise Unauthorized("the token signature is not valid")
        if claims.get("typ") != expected:
            raise Unauthorized(f"a {expected} token is required, but this is a {claims.get('typ')} token")
        if not isinstance(claims.get("sub"), str):
            raise Unauthorized("the token has no subject")
        return claims
