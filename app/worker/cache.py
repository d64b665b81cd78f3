"""Tier 2 of the guardrail: LLM verdicts cached in Redis by a fingerprint of the content.

Seed 10.2 (strategy 1). The fingerprint is a SHA-256 of the content after normalisation, so
variants that differ only in case, spacing, numbers, timestamps or generated ids ("Load test
problem 1732612345678" vs "... 1732612345901") share one verdict. Only verdicts the model gave are
cached; a `needs_review` caused by an outage is not a verdict and is never cached.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

NORMALISATION_VERSION = "n1"
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b"
)
_UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b")
_LONG_HEX = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{16,}\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case-folded, Unicode-normalised text with timestamps, ids and numbers replaced by tokens
    and runs of whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _TIMESTAMP.sub("<t>", text)
    text = _UUID.sub("<id>", text)
    text = _LONG_HEX.sub("<id>", text)
    text = _NUMBER.sub("#", text)
    return _SPACE.sub(" ", text).strip()


def fingerprint(text: str) -> str:
    """SHA-256 (hex) of the normalised text; the normalisation version is part of the input so a
    change of rules never reuses old entries."""
    return hashlib.sha256(f"{NORMALISATION_VERSION}\n{normalise(text)}".encode()).hexdigest()


@dataclass(frozen=True)
class CachedVerdict:
    verdict: str        # approve | reject | flag, as the model said
    reason: str
    model: str


class VerdictCache:
    """GET/SET of verdicts under `<prefix><namespace>:<fingerprint>` with a TTL.

    `namespace` separates models and prompt versions: a verdict from one prompt is not an answer
    to another.
    """

    def __init__(self, redis: Any, *, ttl_s: int, namespace: str, prefix: str = "guardrail:cache:") -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.key_prefix = f"{prefix}{namespace}:"

    def key(self, content: str) -> str:
        return self.key_prefix + fingerprint(content)

    async def get(self, content: str) -> CachedVerdict | None:
        raw = await self.redis.get(self.key(content))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return CachedVerdict(verdict=str(data["verdict"]), reason=str(data["reason"]), model=str(data["model"]))
        except (ValueError, KeyError, TypeError):
            return None     # an unreadable entry is a miss; the next verdict overwrites it

    async def put(self, content: str, verdict: CachedVerdict) -> None:
        value = json.dumps({"verdict": verdict.verdict, "reason": verdict.reason, "model": verdict.model})
        await self.redis.set(self.key(content), value, ex=self.ttl_s)
