"""The OpenAPI 3.1 document, generated from the route table and the pydantic models.

Nothing is copied by hand: paths, methods, parameters and bodies come from `app.routes.ROUTES`,
and schemas from the models' JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12, which is what
pydantic emits), collected under `components.schemas`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import schemas
from .routes import ROUTES, RouteSpec

REF_TEMPLATE = "#/components/schemas/{model}"
PATH_ID_MAX = 10**18 - 1
_ERROR_TEXT = {
    400: "Invalid input; `details.fields` names each bad field",
    401: "Missing, unknown or expired credentials",
    403: "Credentials of the wrong kind for this route",
    404: "Not found",
    409: "Conflict with an existing resource",
    413: "Body larger than allowed",
    415: "Unsupported content type (judged by content)",
    429: "Rate limited; see Retry-After",
    503: "A backing service is unavailable",
}
_RATE_LIMIT_HEADERS = {
    name: {"schema": {"type": "integer"}, "description": text}
    for name, text in (
        ("X-RateLimit-Limit", "requests allowed in the window"),
        ("X-RateLimit-Remaining", "requests left in the window"),
        ("X-RateLimit-Reset", "epoch seconds when the window ends"),
    )
}


def _models() -> list[tuple[type[BaseModel], str]]:
    """Every model the routes use, with the JSON Schema mode that matches its direction."""
    found: list[tuple[type[BaseModel], str]] = [(schemas.ErrorBody, "serialization")]
    for spec in ROUTES:
        inputs = [(spec.body, "validation"), (spec.query, "validation")]
        outputs = [(target, "serialization") for target in spec.responses.values()]
        for model, mode in inputs + outputs:
            if isinstance(model, type) and issubclass(model, BaseModel) and (model, mode) not in found:
                found.append((model, mode))
    return found


def _component_schemas() -> dict[str, Any]:
    _, top = models_json_schema(_models(), ref_template=REF_TEMPLATE)  # type: ignore[arg-type]
    return top.get("$defs", {})


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _path_parameters(path: str) -> list[dict[str, Any]]:
    # What app.views.common.path_int accepts: at most 18 decimal digits.
    schema = {"type": "integer", "minimum": 0, "maximum": PATH_ID_MAX}
    return [{"name": name, "in": "path", "required": True, "schema": dict(schema)} for name in re.findall(r"{(\w+)}", path)]


def _content(target: type[BaseModel] | str | None) -> dict[str, Any]:
    if target is None:
        return {}
    if isinstance(target, str):
        schema = {"type": "string"} if target.startswith("text/") else {"type": "object"}
        return {"content": {target: {"schema": schema}}}
    return {"content": {"application/json": {"schema": _ref(target)}}}


def _request_body(spec: RouteSpec) -> dict[str, Any] | None:
    if spec.body is None:
        return None
    if spec.body == "multipart":
        file_schema = {
            "type": "object",
            "required": ["file"],
            "additionalProperties": False,  # the view reads one part, `file`; any other part is a 400
            # An empty file is refused (400), so the document asks for at least one byte.
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream", "minLength": 1}},
        }
        return {"required": True, "content": {"multipart/form-data": {"schema": file_schema}}}
    return {"required": True, "content": {"application/json": {"schema": _ref(spec.body)}}}


def _operation(spec: RouteSpec) -> dict[str, Any]:
    limited = spec.access != "ops"
    responses: dict[str, Any] = {}
    for status, target in spec.responses.items():
        responses[str(status)] = {"description": "Success" if status < 400 else "Not ready", **_content(target)}
        if limited:
            responses[str(status)]["headers"] = _RATE_LIMIT_HEADERS
    errors = set(spec.errors) | ({429, 503} if limited else set())
    for status in sorted(errors):
        responses[str(status)] = {"description": _ERROR_TEXT[status], **_content(schemas.ErrorBody)}
    operation: dict[str, Any] = {
        "operationId": spec.name,
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": _path_parameters(spec.path) + (_query_parameters(spec.query) if spec.query else []),
        "responses": responses,
    }
    body = _request_body(spec)
    if body is not None:
        operation["requestBody"] = body
    if spec.access == "agent":
        operation["security"] = [{"agentKey": []}]
    elif spec.access == "optional":
        operation["security"] = [{}, {"agentKey": []}, {"bearerJwt": []}]
    return operation


def build_openapi(*, version: str = "dev") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "BetterWorld platform API (under test)", "version": version},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": _component_schemas(),
            "securitySchemes": {
                "agentKey": {"type": "http", "scheme": "bearer", "description": "agent API key bw_<env>_..."},
                "bearerJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }
