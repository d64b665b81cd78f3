"""Redis `INFO`: the memory and client figures the dashboard charts."""

from __future__ import annotations

from typing import Any

import redis

INFO_FIELDS = ("used_memory", "used_memory_rss", "maxmemory", "maxmemory_policy", "connected_clients", "evicted_keys")
CONNECT_TIMEOUT_S = 2.0
# Policies that may evict queued jobs from a Redis that is also the job broker (DESIGN.md §5).
EVICTING_POLICIES = ("allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
                     "volatile-random", "volatile-ttl")


def pick_fields(info: dict[str, Any]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for name in INFO_FIELDS:
        value = info.get(name)
        if value is None:
            continue
        picked[name] = str(value) if name == "maxmemory_policy" else int(value)
    return picked


def read_info(url: str) -> dict[str, Any]:
    """Raises redis.RedisError or OSError when Redis is unreachable."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S)
    try:
        info = client.info()
        info.update(client.info("stats"))
        return pick_fields(info)
    finally:
        client.close()


def policy_warning(policy: str | None) -> str | None:
    if policy in EVICTING_POLICIES:
        return (f"Redis maxmemory_policy is {policy}: under memory pressure it evicts keys, including "
                "queued jobs; the queue's Redis needs noeviction (or its own instance)")
    return None
