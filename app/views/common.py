"""What every view needs: bounded JSON bodies, validated query strings, JSON responses, the caller.

Bad input always becomes a 4xx naming the field(s); pydantic's `input` is never echoed back, so
a rejected password does not travel into a response or a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..errors import InvalidJson, PayloadTooLarge, Unauthorized, ValidationFailed
from ..state import SETTINGS
from ..timeouts import BodyClock

M = TypeVar("M", bound=BaseModel)
_READ_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Principal:
    """Who is calling: an agent (API key), a user (JWT) or an anonymous client (by IP)."""

    kind: Literal["agent", "user", "anonymous"]
    id: str
    ip: str

    @property
    def identity(self) -> str:
        return f"{self.kind}:{self.id}"


PRINCIPAL = web.RequestKey("principal", Principal)
EXTRA_HEADERS = web.RequestKey("extra_headers", dict)


def client_ip(request: web.Request) -> str:
    # The direct peer only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.remote or "unknown"


def current_agent_id(request: web.Request) -> str:
    principal = request.get(PRINCIPAL)
    if principal is None or principal.kind != "agent":
        raise Unauthorized("an agent API key is required")
    return principal.id


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def validation_error(exc: ValidationError, *, where: str = "body") -> ValidationFailed:
    """Translate pydantic's errors into ValidationFailed, one entry per field."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    if any(err["type"] == "json_invalid" for err in errors):
        message = errors[0]["msg"]
        return InvalidJson(f"the request body is not valid JSON: {message}", fields=[{"field": "body", "message": message}])
    fields = [{"field": _field_name(err["loc"]) if err["loc"] else where, "message": err["msg"]} for err in errors]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return ValidationFailed(f"invalid {where}: {summary}", fields=fields)


def body_clock(request: web.Request) -> BodyClock:
    """The read deadline of this request's body (app.timeouts), from the settings."""
    settings = request.app[SETTINGS]
    return BodyClock(grace_s=settings.body_timeout_s, min_rate_bytes_per_s=settings.body_min_rate_bytes_per_s)


async def read_body_capped(request: web.Request, limit_bytes: int) -> bytes:
    """The whole body, refusing (413) as soon as it passes `limit_bytes` (decoded bytes: a
    compressed body counts as it decompresses) and (408) when it arrives too slowly."""
    if request.content_length is not None and request.content_length > limit_bytes:
        raise PayloadTooLarge(
            f"the body is {request.content_length} bytes; the limit is {limit_bytes}",
            details={"limitBytes": limit_bytes},
        )
    clock = body_clock(request)
    body = bytearray()
    while chunk := await clock.read(request.content.read(_READ_CHUNK_BYTES)):
        clock.received(len(chunk))
        body += chunk
        if len(body) > limit_bytes:
            raise PayloadTooLarge(f"the body exceeds {limit_bytes} bytes", details={"limitBytes": limit_bytes})
    return bytes(body)


async def read_json(request: web.Request, model: type[M]) -> M:
    body = await read_body_capped(request, request.app[SETTINGS].max_json_body_bytes)
    if not body.strip():
        raise InvalidJson("a JSON object body is required", fields=[{"field": "body", "message": "empty body"}])
    try:
        return model.model_validate_json(body, strict=True)
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_query(request: web.Request, model: type[M]) -> M:
    raw: dict[str, str] = {}
    for key in set(request.query.keys()):
        values = request.query.getall(key)
        if len(values) > 1:
            raise ValidationFailed.one(key, "must be given at most once")
        raw[key] = values[0]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, where="query") from None


def json_response(model: BaseModel, *, status: int = 200) -> web.Response:
    return web.Response(body=model.model_dump_json().encode(), status=status, content_type="application/json")


def path_int(request: web.Request, name: str) -> int:
    """A positive bigint path parameter; anything else is a 400 naming the parameter."""
    raw = request.match_info[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed.one(name, "must be a positive integer")
    return int(raw)
