"""The OpenAPI document: served, generated from the route table, and internally consistent.

Responses of every endpoint are validated against it in the view tests (`openapi_check.checked`).
"""

from __future__ import annotations

import json

import jsonschema

from app.openapi import build_openapi
from app.routes import ROUTES


async def test_served_document_is_the_generated_one(client) -> None:
    resp = await client.get("/api/v1/openapi.json")
    assert resp.status == 200
    assert await resp.json() == json.loads(json.dumps(build_openapi()))


def test_every_route_is_documented_once() -> None:
    doc = build_openapi()
    assert doc["openapi"].startswith("3.1")
    operations = [(path, method) for path, item in doc["paths"].items() for method in item]
    assert sorted(operations) == sorted((r.path, r.method.lower()) for r in ROUTES)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_schemas_are_valid_json_schema_and_every_ref_resolves() -> None:
    doc = build_openapi()
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


def test_request_bodies_use_the_k6_field_names() -> None:
    schemas = build_openapi()["components"]["schemas"]
    assert set(schemas["ProblemCreate"]["properties"]) == {
        "title", "description", "domain", "severity", "affectedPopulationEstimate", "geographicScope",
        "locationName", "latitude", "longitude", "dataSources", "evidenceLinks", "selfAudit"}
    assert set(schemas["AgentRegistration"]["properties"]) == {
        "username", "framework", "modelProvider", "modelName", "specializations", "soulSummary"}
    assert schemas["ProblemCreate"]["additionalProperties"] is False
