"""Middleware, outermost first: request id, observation (log + metrics), error mapping, access.

- `request_id_middleware` echoes a sane `X-Request-Id` or makes one, and puts it (plus any
  rate-limit headers) on every response, errors included.
- `observe_middleware` counts in-flight requests, records the latency histogram by route
  template, and writes one structured log line per request.
- `error_middleware` is the ONE place where errors become HTTP: `ApiError`s, aiohttp's own
  404/405/413, bodies that cannot be decoded (400), database outages (503), and anything
  unexpected (500, logged with a traceback). Requests aiohttp cannot even parse never reach a
  middleware: `app.connection` answers those.
- `access_middleware` authenticates (`app.views.auth.authenticate`: agent API key or JWT,
  refused credentials limited per IP) and applies the rate-limit classes
  that `app.routes` assigns to the matched route.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Awaitable, Callable

import psycopg
import structlog
from aiohttp import web

from .errors import (
    ApiError, Forbidden, MethodNotAllowed, NotFound, PayloadTooLarge, RateLimited, RequestTimeout, Unauthorized,
    Unavailable, ValidationFailed,
)
from .metrics import UNMATCHED_ROUTE
from .ratelimit import binding
from .state import LIFECYCLE, METRICS, RATE_LIMITER, ROUTE_SPECS
from .views.auth import authenticate
from .views.common import EXTRA_HEADERS, PRINCIPAL, Principal, client_ip

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID = web.RequestKey("request_id", str)
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_access_log = structlog.get_logger(logger_name="app.access")
_error_log = structlog.get_logger(logger_name="app.errors")


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-Id", "")
    request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    request[EXTRA_HEADERS] = {}
    structlog.contextvars.bind_contextvars(request_id=request_id)  # this request's task only
    response = await handler(request)
    response.headers["X-Request-Id"] = request_id
    response.headers.update(request[EXTRA_HEADERS])
    return response


def route_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app
    lifecycle, metrics = app[LIFECYCLE], app[METRICS]
    lifecycle.request_started()
    metrics.in_flight.inc()
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if lifecycle.shutting_down:
            response.force_close()  # draining: do not keep this connection for another request
        return response
    finally:
        duration_s = time.perf_counter() - started
        route = route_label(request)
        metrics.in_flight.dec()
        metrics.observe_request(route=route, method=request.method, status=status, duration_s=duration_s)
        lifecycle.request_finished()
        _access_log.info(
            "request", method=request.method, route=route, path=request.path, status=status,
            duration_ms=round(duration_s * 1000, 3), request_id=request.get(REQUEST_ID), remote=request.remote,
            user_agent=request.headers.get("User-Agent"),
        )


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


def _from_http_exception(exc: web.HTTPException) -> ApiError:
    if isinstance(exc, web.HTTPNotFound):
        return NotFound("no route matches this path")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = sorted(exc.allowed_methods)
        error: ApiError = MethodNotAllowed(
            f"{exc.method} is not allowed here; use {', '.join(allowed)}", details={"allowed": allowed}
        )
        error.headers["Allow"] = ", ".join(allowed)
        return error
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return PayloadTooLarge("the request body is too large")
    generic = ApiError(exc.reason or "request refused")
    generic.status, generic.code = exc.status, re.sub(r"\W+", "_", (exc.reason or "error").lower())
    return generic


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RequestTimeout as exc:
        response = error_response(exc)
        response.force_close()  # the rest of a slow body is not worth waiting for
        return response
    except ApiError as exc:
        return error_response(exc)
    except web.RequestPayloadError as exc:  # bad Content-Encoding, cut-off chunked body, ...
        reason = str(exc).strip().splitlines()[-1].strip() or "malformed body"
        return error_response(ValidationFailed.one("body", f"the body could not be read: {reason}"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(_from_http_exception(exc))
    except psycopg.OperationalError:  # includes pool timeouts: the database, not the request, failed
        return error_response(Unavailable("the database is unavailable", details={"dependency": "database"}))
    except ConnectionError:  # the client went away mid-body; nobody reads this answer
        return error_response(ValidationFailed.one("body", "the client closed the connection mid-request"))
    except Exception:
        _error_log.exception("unhandled error", method=request.method, path=request.path)
        return web.json_response(
            {"error": "internal_error", "message": "an unexpected error occurred", "details": {}}, status=500
        )


def _classes_for(principal: Principal, extra: tuple[str, ...]) -> list[str]:
    if principal.kind == "agent":
        return ["agent", *extra]
    return ["human"] if principal.kind == "user" else ["public"]


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    spec = request.app[ROUTE_SPECS].get(request.match_info.route.name or "")
    if spec is None or spec.access == "ops":
        return await handler(request)
    if spec.access == "credentials":
        principal = Principal("anonymous", client_ip(request), client_ip(request))
        classes = ["auth"]
    else:
        principal = await authenticate(request)
        if spec.access == "agent" and principal.kind != "agent":
            if principal.kind == "anonymous":
                raise Unauthorized("an agent API key is required")
            raise Forbidden("this route is for agents; send an agent API key")
        classes = _classes_for(principal, spec.extra_classes)
    request[PRINCIPAL] = principal
    decisions = await request.app[RATE_LIMITER].hit(classes, principal.identity)
    if decisions:  # None: the limiter's Redis failed, and we fail open
        decision = binding(decisions)
        request[EXTRA_HEADERS].update(decision.headers())
        if not decision.allowed:
            request.app[METRICS].rate_limit_rejections.labels(decision.class_name).inc()
            raise RateLimited(
                f"rate limit of {decision.limit} requests per window exceeded for class {decision.class_name}",
                details={"class": decision.class_name, "limit": decision.limit, "retryAfter": decision.retry_after_s},
            )
    return await handler(request)
