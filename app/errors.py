"""The API's error hierarchy; `app.middleware.error_middleware` maps it to HTTP in one place.

Views and helpers raise these; nothing else builds an error response. Every error becomes the JSON
body `{"error": code, "message": text, "details": {...}}` with the status below::

    ApiError                      (status, code)
    ├── ValidationFailed          400 validation_failed   details.fields names each bad field
    │   └── InvalidJson           400 invalid_json        the body is not JSON at all
    ├── Unauthorized              401 unauthorized        missing, unknown or expired credentials
    ├── Forbidden                 403 forbidden           valid credentials of the wrong kind
    ├── NotFound                  404 not_found
    ├── MethodNotAllowed          405 method_not_allowed
    ├── RequestTimeout            408 request_timeout     the body came too slowly; connection closed
    ├── Conflict                  409 conflict            e.g. a duplicate username or email
    ├── PayloadTooLarge           413 payload_too_large
    ├── UnsupportedMedia          415 unsupported_media_type
    ├── RateLimited               429 rate_limited        carries Retry-After
    └── Unavailable               503 unavailable         database or queue down, pool exhausted
"""

from __future__ import annotations

from typing import Any, Mapping


class ApiError(Exception):
    """Base class: an HTTP status, a stable machine-readable code, a message and details."""

    status: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}


class ValidationFailed(ApiError):
    """Bad input. `fields` is a list of `{"field", "message"}`, one per problem found."""

    status = 400
    code = "validation_failed"

    def __init__(self, message: str, *, fields: list[dict[str, str]]) -> None:
        super().__init__(message, details={"fields": fields})

    @classmethod
    def one(cls, field: str, message: str) -> "ValidationFailed":
        return cls(f"{field}: {message}", fields=[{"field": field, "message": message}])


class InvalidJson(ValidationFailed):
    code = "invalid_json"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "valid credentials are required") -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class RequestTimeout(ApiError):
    """The client sent its body too slowly (app.timeouts); the connection is closed after the answer."""

    status = 408
    code = "request_timeout"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMedia(ApiError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class Unavailable(ApiError):
    status = 503
    code = "unavailable"

    def __init__(self, message: str = "a backing service is unavailable", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
