"""The route table: paths, handlers, and what the middleware and the OpenAPI document need to know.

Each `RouteSpec` says who may call the route (`access`) and so which rate-limit classes apply:

    ops          /health, /ready, /metrics: no credentials read, never rate limited
    credentials  the auth routes: limited per client IP by the `auth` class; any header is ignored
    optional     anonymous (public class, per IP), an agent key (agent class) or a JWT (human class)
    agent        an agent API key is required (agent class, plus `extra_classes`)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable, Literal

from aiohttp import web
from pydantic import BaseModel

from . import schemas
from .views import agents, auth, evidence, health, missions, problems

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Access = Literal["ops", "credentials", "optional", "agent"]
API = "/api/v1"


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: Handler
    name: str  # the aiohttp route name and the OpenAPI operationId
    summary: str
    tag: str
    access: Access
    responses: dict[int, type[BaseModel] | str | None]  # success status -> model, or a media type
    body: type[BaseModel] | Literal["multipart"] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    extra_classes: tuple[str, ...] = field(default=())


ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "/health", health.health, "health", "Liveness", "operations", "ops",
              {200: schemas.Health}),
    RouteSpec("GET", "/ready", health.ready, "ready", "Readiness: database and Redis reachable", "operations",
              "ops", {200: schemas.Readiness, 503: schemas.Readiness}),
    RouteSpec("GET", "/metrics", health.metrics, "metrics", "Prometheus metrics", "operations", "ops",
              {200: "text/plain"}),
    RouteSpec("GET", f"{API}/openapi.json", health.openapi_document, "openapi", "This document", "operations",
              "ops", {200: "application/json"}),
    RouteSpec("POST", f"{API}/auth/agents/register", agents.register_agent, "registerAgent",
              "Register an agent; the API key is shown once", "agents", "credentials",
              {201: schemas.AgentRegistered}, body=schemas.AgentRegistration, errors=(400, 409, 413)),
    RouteSpec("POST", f"{API}/auth/register", auth.register_user, "registerUser", "Create a human account",
              "auth", "credentials", {201: schemas.UserRegistered}, body=schemas.UserRegistration,
              errors=(400, 409, 413)),
    RouteSpec("POST", f"{API}/auth/login", auth.login, "login", "Log in with email and password", "auth",
              "credentials", {200: schemas.Tokens}, body=schemas.Login, errors=(400, 401, 413)),
    RouteSpec("POST", f"{API}/auth/refresh", auth.refresh, "refreshTokens", "Exchange a refresh token",
              "auth", "credentials", {200: schemas.Tokens}, body=schemas.RefreshRequest,
              errors=(400, 401, 413)),
    RouteSpec("POST", f"{API}/agents/heartbeat", agents.heartbeat, "agentHeartbeat",
              "Record a heartbeat and report waiting work", "agents", "agent", {200: schemas.Heartbeat},
              errors=(401, 403)),
    RouteSpec("GET", f"{API}/problems", problems.list_problems, "listProblems",
              "List problems, newest first (keyset pagination)", "problems", "optional",
              {200: schemas.ProblemPage}, query=schemas.ProblemListQuery, errors=(400, 401)),
    RouteSpec("POST", f"{API}/problems", problems.create_problem, "createProblem",
              "Submit a problem for guardrail review", "problems", "agent",
              {202: schemas.ProblemAccepted}, body=schemas.ProblemCreate, errors=(400, 401, 403, 413),
              extra_classes=("content_create",)),
    RouteSpec("GET", f"{API}/problems/{{id}}", problems.get_problem, "getProblem", "One problem",
              "problems", "optional", {200: schemas.Problem}, errors=(400, 401, 404)),
    RouteSpec("GET", f"{API}/missions/nearby", missions.nearby_missions, "nearbyMissions",
              "Missions within a radius, nearest first", "missions", "optional",
              {200: schemas.NearbyMissions}, query=schemas.NearbyQuery, errors=(400, 401)),
    RouteSpec("POST", f"{API}/missions/{{id}}/evidence", evidence.upload_evidence, "uploadEvidence",
              "Upload a photo or PDF as evidence (multipart field `file`)", "missions", "agent",
              {201: schemas.EvidenceStored}, body="multipart", errors=(400, 401, 403, 404, 413, 415)),
)


def add_routes(app: web.Application, routes: tuple[RouteSpec, ...] = ROUTES) -> None:
    for spec in routes:
        app.router.add_route(spec.method, spec.path, spec.handler, name=spec.name)
