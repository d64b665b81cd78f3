"""The Redis Streams side of the worker: read, reclaim, acknowledge, dead-letter, measure.

At-least-once delivery with a consumer group (DESIGN.md §4):
- XREADGROUP `>` hands each new entry to one consumer and records it in the group's pending list;
- the worker XACKs only after the verdict is committed, in one MULTI with XDEL, so the stream
  holds only unfinished jobs and its length is the backlog;
- entries idle longer than the idle timeout (their consumer died or hung) are taken over with
  XAUTOCLAIM, which also counts the delivery; one delivered more than `max_deliveries` times is
  copied to the dead-letter stream and acknowledged, in one MULTI;
- a live worker keeps its in-flight entries fresh (`touch`), so a slow model call (timeouts and
  retries can outlast the idle timeout) is not mistaken for a dead worker.
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
        return [mid.decode() if isinstance(mid, bytes) else str(mid) for mid in owned]

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


def _id_key(message_id: str) -> tuple[int, int]:
    ms, _, seq = message_id.partition("-")
    return int(ms), int(seq or 0)
