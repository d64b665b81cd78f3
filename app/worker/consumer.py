"""The Redis Streams side of the worker: read, reclaim, acknowledge, dead-letter, measure.

At-least-once delivery with a consumer group (DESIGN.md §4):
- XREADGROUP `>` hands each new entry to one consumer and records it in the group's pending list;
- the worker XACKs only after the verdict is committed, in one MULTI with XDEL, so the stream
  holds only unfinished jobs and its length is the backlog;
- entries idle longer than the idle timeout (their consumer died or hung) are taken over with
  XAUTOCLAIM, which also counts the delivery; one delivered more than `max_deliveries` times is
  copied to the dead-letter stream and acknowledged, in one MULTI;
- a live worker keeps its in-flight entries fresh (`touch`), so a slow model call (timeouts and
  retries can outlast the idle timeout) is not mistaken for a dead worker;
- each consumer also holds a liveness key with a short TTL (`mark_alive`). A consumer whose key is
  gone is dead: its entries are claimed at once (`claim_from_dead`, min-idle 0 is safe because the
  owner no longer runs them) and the consumer is deleted once it owns nothing, so a restarted
  worker takes over its predecessor's jobs within seconds and dead consumers do not pile up. The
  check and the claim are one Lua script, so two workers never both take the same entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.exceptions import ResponseError

from .jobs import now_ms, stream_id_ms


@dataclass(frozen=True)
class Delivery:
    message_id: str
    fields: dict[str, str]
    deliveries: int


@dataclass(frozen=True)
class QueueStats:
    length: int             # XLEN: unfinished jobs (acknowledged entries are deleted)
    waiting: int            # not yet delivered to any worker
    pending: int            # delivered, not yet acknowledged
    oldest_age_s: float     # age of the oldest unfinished job (waiting or pending); 0 if none
    dead: int               # entries in the dead-letter stream


# Reset the idle time of the given entries, but only those this consumer still owns: a plain
# XCLAIM would take back an entry another worker has legitimately reclaimed. JUSTID leaves the
# delivery count alone. Returns the ids still owned.
_TOUCH_SCRIPT = """
local owned = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local entry = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2])
  if #entry > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'JUSTID')
    owned[#owned + 1] = id
  end
end
return owned
"""


# Claim the pending entries of a consumer whose liveness key (KEYS[2]) is gone, then delete the
# consumer if it owns nothing more. ARGV: group, dead consumer, claiming consumer, max entries.
# Returns {1 if the consumer was deleted else 0, claimed entries as XCLAIM gives them}.
_CLAIM_DEAD_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {0, {}}
end
local claimed = {}
local count = tonumber(ARGV[4])
if count > 0 then
  local rows = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', count, ARGV[2])
  local ids = {}
  for i = 1, #rows do
    ids[#ids + 1] = rows[i][1]
  end
  if #ids > 0 then
    claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, unpack(ids))
  end
end
local left = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #left == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  return {1, claimed}
end
return {0, claimed}
"""

# A consumer that stops: forget its liveness, and delete it from the group if it owns nothing
# (DELCONSUMER would drop its pending entries otherwise; those are left for `claim_from_dead`).
_LEAVE_SCRIPT = """
redis.call('DEL', KEYS[2])
local left = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #left == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"""


def liveness_key(stream: str, group: str, consumer: str) -> str:
    return f"{stream}:{group}:alive:{consumer}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entries(response: Any, stream: str) -> list[tuple[str, dict[str, str]]]:
    # RESP2 gives [[stream, entries]], RESP3 {stream: [entries]}; accept both.
    if not response:
        return []
    if isinstance(response, dict):
        values = response.get(stream) or []
        return [entry for batch in values for entry in batch] if values and isinstance(values[0], list) else values
    return [entry for name, batch in response if name == stream for entry in batch]


class StreamConsumer:
    def __init__(self, redis: Any, *, stream: str, group: str, consumer: str, dead_stream: str) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.dead_stream = dead_stream
        self._claim_cursor = "0-0"
        self._touch = redis.register_script(_TOUCH_SCRIPT)
        self._claim_dead = redis.register_script(_CLAIM_DEAD_SCRIPT)
        self._leave = redis.register_script(_LEAVE_SCRIPT)

    async def ensure_group(self) -> None:
        """Create the group (and the stream) if missing; another worker may have done it first."""
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read(self, *, count: int, block_ms: int) -> list[Delivery]:
        try:
            response = await self.redis.xreadgroup(self.group, self.consumer, {self.stream: ">"},
                                                   count=count, block=block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # The stream or group vanished (FLUSHALL, a Redis without persistence): recreate it.
            await self.ensure_group()
            return []
        return [Delivery(message_id=mid, fields=fields, deliveries=1)
                for mid, fields in _entries(response, self.stream)]

    async def reclaim(self, *, count: int, min_idle_ms: int) -> tuple[list[Delivery], list[str]]:
        """Take over up to `count` entries idle for `min_idle_ms`; returns them with their delivery
        counts, and the ids of pending entries whose data was deleted (to acknowledge)."""
        try:
            next_id, claimed, deleted = await self.redis.xautoclaim(
                self.stream, self.group, self.consumer, min_idle_ms, self._claim_cursor, count=count)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self.ensure_group()
            return [], []
        # The cursor walks the pending list across calls; 0-0 means the scan wrapped around.
        self._claim_cursor = next_id
        claimed = [(mid, fields) for mid, fields in claimed if fields is not None]
        counts = await self._delivery_counts([mid for mid, _ in claimed])
        return [Delivery(message_id=mid, fields=fields, deliveries=counts.get(mid, 1))
                for mid, fields in claimed], list(deleted or [])

    async def _delivery_counts(self, message_ids: list[str]) -> dict[str, int]:
        if not message_ids:
            return {}
        low, high = min(message_ids, key=_id_key), max(message_ids, key=_id_key)
        # This consumer's own in-flight entries may sit in the same id range: ask for enough rows.
        rows = await self.redis.xpending_range(self.stream, self.group, min=low, max=high,
                                               count=len(message_ids) + 1000, consumername=self.consumer)
        wanted = set(message_ids)
        return {row["message_id"]: int(row["times_delivered"]) for row in rows if row["message_id"] in wanted}

    async def touch(self, message_ids: list[str]) -> list[str]:
        """Mark in-flight entries as alive; returns those this consumer still owns."""
        if not message_ids:
            return []
        owned = await self._touch(keys=[self.stream], args=[self.group, self.consumer, *message_ids])
        return [_text(mid) for mid in owned]

    async def mark_alive(self, *, ttl_ms: int) -> None:
        """Say this consumer runs (for `ttl_ms`); refresh well before it expires."""
        await self.redis.set(liveness_key(self.stream, self.group, self.consumer), "1", px=ttl_ms)

    async def dead_consumers(self, *, min_idle_ms: int) -> list[str]:
        """Other consumers of the group with no liveness key that have not acted for `min_idle_ms`."""
        try:
            rows = await self.redis.xinfo_consumers(self.stream, self.group)
        except ResponseError:
            return []   # no stream or group yet
        names = [_text(row["name"]) for row in rows
                 if _text(row["name"]) != self.consumer and int(row.get("idle", 0)) >= min_idle_ms]
        if not names:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.exists(liveness_key(self.stream, self.group, name))
            alive = await pipe.execute()
        return [name for name, exists in zip(names, alive) if not exists]

    async def claim_from_dead(self, dead: str, *, count: int) -> tuple[list[Delivery], bool]:
        """Take up to `count` entries of the dead consumer `dead`; returns them, and whether the
        consumer was deleted (it owned nothing more). Does nothing if `dead` is alive after all."""
        removed, claimed = await self._claim_dead(
            keys=[self.stream, liveness_key(self.stream, self.group, dead)],
            args=[self.group, dead, self.consumer, count])
        entries = [(_text(mid), _pairs(fields)) for mid, fields in claimed if fields]
        counts = await self._delivery_counts([mid for mid, _ in entries])
        return [Delivery(message_id=mid, fields=fields, deliveries=counts.get(mid, 1))
                for mid, fields in entries], bool(removed)

    async def leave(self) -> bool:
        """On a clean stop: drop the liveness key; delete the consumer if it owns nothing (True)."""
        return bool(await self._leave(keys=[self.stream, liveness_key(self.stream, self.group, self.consumer)],
                                      args=[self.group, self.consumer]))

    async def ack(self, message_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, self.group, message_id)
            pipe.xdel(self.stream, message_id)
            await pipe.execute()

    async def dead_letter(self, delivery: Delivery, *, reason: str) -> None:
        fields = {**delivery.fields, "original_id": delivery.message_id, "deliveries": str(delivery.deliveries),
                  "reason": reason[:500], "dead_at_ms": str(now_ms())}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_stream, fields)
            pipe.xack(self.stream, self.group, delivery.message_id)
            pipe.xdel(self.stream, delivery.message_id)
            await pipe.execute()

    async def stats(self) -> QueueStats:
        group = await self._group_info()
        pending = int(group.get("pending", 0)) if group else 0
        lag = group.get("lag") if group else None
        length = int(await self.redis.xlen(self.stream))
        # Acked entries are deleted, so the stream is waiting + pending; `lag` is exact when known.
        waiting = int(lag) if lag is not None else max(0, length - pending)
        oldest_ms: list[int] = []
        if pending:
            summary = await self.redis.xpending(self.stream, self.group)
            if summary.get("min"):
                oldest_ms.append(stream_id_ms(summary["min"]))
        if waiting and group:
            first = await self.redis.xrange(self.stream, f"({group['last-delivered-id']}", "+", count=1)
            oldest_ms += [stream_id_ms(mid) for mid, _ in first]
        age_s = max(0.0, (now_ms() - min(oldest_ms)) / 1000) if oldest_ms else 0.0
        dead = int(await self.redis.xlen(self.dead_stream))
        return QueueStats(length=length, waiting=waiting, pending=pending, oldest_age_s=age_s, dead=dead)

    async def _group_info(self) -> dict[str, Any] | None:
        try:
            groups = await self.redis.xinfo_groups(self.stream)
        except ResponseError:
            return None     # no stream yet
        return next((g for g in groups if g.get("name") == self.group), None)


def _pairs(flat: Any) -> dict[str, str]:
    # A script hands an entry's fields back as a flat [field, value, ...] list.
    if isinstance(flat, dict):
        return {_text(k): _text(v) for k, v in flat.items()}
    items = [_text(item) for item in flat]
    return dict(zip(items[0::2], items[1::2]))


def _id_key(message_id: str) -> tuple[int, int]:
    ms, _, seq = message_id.partition("-")
    return int(ms), int(seq or 0)
