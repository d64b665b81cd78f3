"""Validate real responses against the served OpenAPI document (JSON Schema 2020-12)."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema  # test dependency: validates responses against the OpenAPI document
from aiohttp import ClientResponse

from app.openapi import build_openapi


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    return build_openapi()


def validate_body(*, path: str, method: str, status: int, body: Any) -> None:
    """Fail unless `status` is documented for the operation and `body` matches its schema."""
    operation = document()["paths"][path][method.lower()]
    assert str(status) in operation["responses"], f"{method} {path} answered {status}, which is not documented"
    content = operation["responses"][str(status)].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    assert schema is not None, f"{method} {path} {status} documents no JSON body"
    wrapper = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document()["components"], **schema}
    jsonschema.Draft202012Validator(wrapper).validate(body)


async def checked(resp: ClientResponse, path: str) -> Any:
    """The response's JSON body, after checking it against the document for `path`."""
    body = await resp.json()
    validate_body(path=path, method=resp.method, status=resp.status, body=body)
    return body
