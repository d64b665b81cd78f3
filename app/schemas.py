"""Request and response bodies of the API, as pydantic models; the OpenAPI document is built from them.

Field names on the wire are camelCase (the seed's k6 script is the contract); in Python they are
snake_case. Request bodies forbid unknown fields and are validated strictly from JSON (no "12" for
a number); query strings are validated in lax mode, since every query value arrives as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Json, field_validator
from pydantic.alias_generators import to_camel

Severity = Literal["low", "medium", "high", "critical"]
ProblemStatus = Literal["pending_review", "approved", "rejected", "needs_review"]
GeographicScope = Literal["local", "regional", "national", "global"]
# Domains are data (the seeder and the guardrails own the list); the API checks only their shape.
Domain = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["environmental_protection"])]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


# Whitespace the same way in every regex dialect: ECMA-262's \s (the OpenAPI document's) lacks
# U+0085 and has U+FEFF, the Rust engine pydantic validates with has it the other way round.
_SPACE = r"\s\x85\ufeff"


def _text(max_length: int, *, required: bool = True) -> Any:
    """A string of at most `max_length` characters; a required one must not be blank."""
    return Field(min_length=1 if required else 0, max_length=max_length,
                 pattern=rf"[^{_SPACE}]" if required else None)


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 8:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def _document_no_nul(schema: dict[str, Any]) -> None:
    """Say in the JSON Schema what `_refuse_nul` enforces: no string may contain U+0000. Without
    it the OpenAPI document calls such bodies valid while the API answers 400."""
    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string":
                node["not"] = {"pattern": r"\x00"}
            if node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
                node["propertyNames"] = {"not": {"pattern": r"\x00"}}
            for key, value in node.items():
                if key != "not":
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for prop in schema.get("properties", {}).values():
        visit(prop)


class RequestModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", allow_inf_nan=False,
                              json_schema_extra=_document_no_nul)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold U+0000; refuse it here as bad input rather than fail later.
        if _has_nul(value):
            raise ValueError("must not contain the NUL character (U+0000)")
        return value


class QueryModel(RequestModel):
    """Query-string parameters: same rules, but values are converted from text."""


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True)


# ---- agents ---------------------------------------------------------------------------------

class AgentRegistration(RequestModel):
    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,99}$", examples=["sentinel-alpha"])
    framework: str = _text(50)
    model_provider: str = _text(50)
    model_name: str = _text(100)
    specializations: list[Domain] = Field(default_factory=list, max_length=20)
    soul_summary: str = Field(default="", max_length=2000)


class AgentRegistered(ResponseModel):
    agent_id: UUID
    username: str
    api_key: str = Field(description="shown once; only a keyed hash is stored")


class PendingWork(ResponseModel):
    problems_pending_review: int
    problems_needs_review: int


class Heartbeat(ResponseModel):
    server_time: datetime
    agent_id: UUID
    pending_work: PendingWork


# ---- problems -------------------------------------------------------------------------------

class SelfAudit(RequestModel):
    aligned: bool
    domain: Domain
    justification: str = _text(2000)


class ProblemCreate(RequestModel):
    title: str = _text(500)
    description: str = _text(10_000)
    domain: Domain
    severity: Severity
    affected_population_estimate: str | None = Field(default=None, max_length=100)
    geographic_scope: GeographicScope | None = None
    location_name: str | None = Field(default=None, max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    data_sources: list[Annotated[str, Field(max_length=2000)] | dict[str, str]] = Field(
        default_factory=list, max_length=50
    )
    evidence_links: list[Annotated[str, Field(max_length=2000)]] = Field(default_factory=list, max_length=50)
    self_audit: SelfAudit | None = None


class ProblemAccepted(ResponseModel):
    id: int
    status: Literal["pending_review"]
    job_id: str


class Problem(ResponseModel):
    id: int
    agent_id: UUID | None
    title: str
    description: str
    domain: str
    severity: str
    affected_population_estimate: str | None
    geographic_scope: str | None
    location_name: str | None
    latitude: float | None
    longitude: float | None
    # Json[...]: the database hands these over as JSON text (see app.views.problems).
    data_sources: Json[list[Any]]
    evidence_links: Json[list[Any]]
    self_audit: Json[dict[str, Any]] | None
    status: str
    guardrail_reason: str | None
    guardrail_tier: str | None
    created_at: datetime
    updated_at: datetime


class ProblemPage(ResponseModel):
    data: list[Problem]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class ProblemListQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=100)
    domain: Domain | None = None
    severity: Severity | None = None
    status: ProblemStatus | None = None
    cursor: str | None = Field(default=None, max_length=200, description=(
        "opaque; pass nextCursor of the previous page. A string this API did not issue is refused (400)."))


# ---- missions and evidence ------------------------------------------------------------------

class NearbyQuery(QueryModel):
    lat: Latitude
    lng: Longitude
    radius: float = Field(gt=0, le=500, description="kilometres")
    limit: int = Field(default=10, ge=1, le=100)


class NearbyMission(ResponseModel):
    id: int
    title: str
    domain: str
    status: str
    latitude: float
    longitude: float
    distance_km: float


class NearbyMissions(ResponseModel):
    data: list[NearbyMission]
    count: int


class EvidenceStored(ResponseModel):
    id: UUID
    mission_id: int
    size_bytes: int
    sha256: str
    content_type: str
    filename: str


# ---- human accounts -------------------------------------------------------------------------

Email = Annotated[str, Field(max_length=254, pattern=rf"^[^@{_SPACE}]+@[^@{_SPACE}]+\.[^@{_SPACE}]+$")]


class UserRegistration(RequestModel):
    email: Email
    password: str = Field(min_length=12, max_length=1024)
    display_name: str = _text(100)


class Login(RequestModel):
    email: Email
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class Tokens(ResponseModel):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="seconds until the access token expires")
    token_type: Literal["Bearer"] = "Bearer"


class UserRegistered(Tokens):
    user_id: UUID


# ---- operations -----------------------------------------------------------------------------

class Health(ResponseModel):
    status: Literal["ok"]
    timestamp: datetime


class Readiness(ResponseModel):
    status: Literal["ready", "degraded", "shutting_down"]
    checks: dict[str, Literal["ok", "error", "timeout", "skipped"]]
    version: str
    uptime: float = Field(description="seconds since the process started")
    warnings: list[str] = Field(default_factory=list,
                                description="configuration risks that do not fail readiness, e.g. a job "
                                            "broker whose maxmemory-policy can evict queued jobs")


class FieldError(ResponseModel):
    field: str
    message: str


class ErrorBody(ResponseModel):
    error: str = Field(description="stable machine-readable code, e.g. validation_failed")
    message: str
    details: dict[str, Any]
