"""/ready warns (and stays 200) when the job broker's maxmemory-policy can evict queued jobs;
the body matches the OpenAPI document's Readiness schema."""

from __future__ import annotations

import jsonschema
import redis

from harness.platform_client import PlatformClient


def readiness_schema(api: str) -> dict:
    with PlatformClient(api, read_timeout_s=5) as client:
        document = client.openapi().expect(200).json_object()
    schema = document["paths"]["/ready"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": document.get("components", {})}


def test_ready_warns_about_allkeys_lru_and_stays_ready(api_only: str, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    api = PlatformClient(api_only, read_timeout_s=5)
    try:
        client.config_set("maxmemory-policy", "allkeys-lru")
        reply = api.ready()
        assert reply.status == 200
        body = reply.json_object()
        assert body["status"] == "ready"
        assert len(body["warnings"]) == 1 and "allkeys-lru" in body["warnings"][0]
        jsonschema.validate(body, readiness_schema(api_only))
        client.config_set("maxmemory-policy", "noeviction")
        assert api.ready().json_object()["warnings"] == []
    finally:
        client.config_set("maxmemory-policy", "noeviction")
        client.close()
        api.close()
