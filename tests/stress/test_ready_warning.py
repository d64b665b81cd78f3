"""/ready warns (and stays 200) when the job broker's maxmemory-policy can evict queued jobs;
the body matches the OpenAPI document's Readiness schema."""

from __future__ import annotations

import jsonschema
import redis
import requests


def readiness_schema(api: str) -> dict:
    document = requests.get(api + "/api/v1/openapi.json", timeout=5).json()
    schema = document["paths"]["/ready"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": document.get("components", {})}


def test_ready_warns_about_allkeys_lru_and_stays_ready(api_only: str, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.config_set("maxmemory-policy", "allkeys-lru")
        response = requests.get(api_only + "/ready", timeout=5)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ready"
        assert len(body["warnings"]) == 1 and "allkeys-lru" in body["warnings"][0]
        jsonschema.validate(body, readiness_schema(api_only))
        client.config_set("maxmemory-policy", "noeviction")
        assert requests.get(api_only + "/ready", timeout=5).json()["warnings"] == []
    finally:
        client.config_set("maxmemory-policy", "noeviction")
        client.close()
