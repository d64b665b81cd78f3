"""Tier 2: the fingerprint ignores what varies between copies of the same text, and the cache
keeps verdicts in Redis for their TTL."""

from __future__ import annotations

import redis.asyncio as aioredis

from app.worker.cache import CachedVerdict, VerdictCache, fingerprint, normalise


def test_load_test_variants_share_a_fingerprint() -> None:
    first = "Load test problem 1732612345678\nCreated at 2026-11-26T01:43:33.123Z by run 5f3a9c2e-1b2c-4d5e-8f90-123456789abc"
    second = "load  test problem 1732612349999\ncreated at 2026-11-27T11:03:09Z  by run 0b1c2d3e-4f50-4a6b-9c8d-abcdefabcdef "
    assert normalise(first) == normalise(second) == "load test problem #\ncreated at <t> by run <id>".replace("\n", " ")
    assert fingerprint(first) == fingerprint(second)


def test_different_words_give_different_fingerprints() -> None:
    assert fingerprint("Flooded road near the school") != fingerprint("Flooded road near the clinic")
    assert len(fingerprint("x")) == 64


def test_case_unicode_and_whitespace_are_normalised() -> None:
    assert normalise("  Ｗater\u00a0SHORTAGE\t in  Town ") == "water shortage in town"


async def test_verdicts_are_stored_with_a_ttl_and_shared_by_variants(clean_db: str, redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        cache = VerdictCache(client, ttl_s=60, namespace="p1:test-model")
        assert await cache.get("Load test problem 1") is None
        await cache.put("Load test problem 1", CachedVerdict(verdict="approve", reason="fine", model="test-model"))
        assert await cache.get("LOAD TEST PROBLEM 2") == CachedVerdict("approve", "fine", "test-model")
        key = cache.key("Load test problem 3")
        assert key.startswith("guardrail:cache:p1:test-model:")
        assert 0 < await client.ttl(key) <= 60
        other_model = VerdictCache(client, ttl_s=60, namespace="p1:another-model")
        assert await other_model.get("Load test problem 1") is None
        await client.set(key, "not json")
        assert await cache.get("Load test problem 1") is None, "an unreadable entry is a miss"
    finally:
        await client.aclose()
