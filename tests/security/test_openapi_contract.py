"""Regression tests for what fuzzing found: places where the OpenAPI document and the API disagreed.

Each was a schemathesis "schema-valid request rejected" finding; the document now says what the
API enforces, and these tests pin both sides without running the fuzzer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from app.openapi import PATH_ID_MAX, build_openapi
from app.schemas import Login, ProblemCreate, UserRegistration
from harness.faults.lab import PlatformProcess, http_json

DOC = build_openapi()
NUL_RULE = {"pattern": r"\x00"}


def _request_schemas() -> dict[str, Any]:
    names = set()
    for path in DOC["paths"].values():
        for operation in path.values():
            ref = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("$ref"))
            if ref:
                names.add(ref.rsplit("/", 1)[1])
    names.add("SelfAudit")  # nested in ProblemCreate
    return {name: DOC["components"]["schemas"][name] for name in names}


def _strings(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "string":
            found.append(node)
        for key, value in node.items():
            if key != "not":
                found += _strings(value)
    elif isinstance(node, list):
        for item in node:
            found += _strings(item)
    return found


def test_every_request_string_says_it_refuses_nul() -> None:
    strings = [s for schema in _request_schemas().values() for s in _strings(schema["properties"])]
    query = [p["schema"] for path in DOC["paths"].values() for op in path.values()
             for p in op.get("parameters", []) if p["in"] == "query"]
    strings += [s for schema in query for s in _strings(schema)]
    assert len(strings) > 20
    assert all(s.get("not") == NUL_RULE for s in strings), [s for s in strings if s.get("not") != NUL_RULE]
    data_sources = DOC["components"]["schemas"]["ProblemCreate"]["properties"]["dataSources"]["items"]["anyOf"][1]
    assert data_sources["propertyNames"] == {"not": NUL_RULE}  # dict keys too


@pytest.mark.parametrize("blank", ["\x85", "\ufeff", " \x85\ufeff\t"])
def test_blank_means_the_same_in_the_document_and_the_api(blank: str) -> None:
    # ECMA-262 (the document) and Rust (pydantic) disagree on U+0085 and U+FEFF in \s; the
    # pattern names both, so a title of only those is blank on both sides.
    pattern = DOC["components"]["schemas"]["ProblemCreate"]["properties"]["title"]["pattern"]
    assert re.search(pattern, blank) is None
    with pytest.raises(ValidationError):
        ProblemCreate.model_validate({"title": blank, "description": "d", "domain": "water", "severity": "low"})
    for model, body in ((Login, {"email": f"a{blank}b@c.de", "password": "p"}),
                        (UserRegistration, {"email": f"a{blank}@c.de", "password": "p" * 12, "displayName": "D"})):
        with pytest.raises(ValidationError):
            model.model_validate(body)


def test_path_ids_are_bounded_as_the_api_bounds_them(api: PlatformProcess) -> None:
    schema = DOC["paths"]["/api/v1/problems/{id}"]["get"]["parameters"][0]["schema"]
    assert schema == {"type": "integer", "minimum": 0, "maximum": PATH_ID_MAX}
    assert http_json("GET", f"{api.url}/api/v1/problems/{PATH_ID_MAX}")[0] == 404
    assert http_json("GET", f"{api.url}/api/v1/problems/{PATH_ID_MAX + 1}")[0] == 400


def test_an_upload_is_one_part_with_at_least_one_byte() -> None:
    body = DOC["paths"]["/api/v1/missions/{id}/evidence"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["file"]["minLength"] == 1
    assert body["schema"]["additionalProperties"] is False  # a part before `file` is refused (400)
