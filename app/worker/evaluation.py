"""The tiered evaluation (seed 10.2): pre-filter, then cache, then the model.

Each tier that can answer stops the evaluation; only the last one costs money. The result says
which tier answered so the worker can count hits per tier and store it with the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from redis.exceptions import RedisError

from .cache import CachedVerdict, VerdictCache
from .llm import LLMClassifier, LLMOutcome
from .prefilter import RuleSet
from .store import ProblemRecord

Tier = Literal["prefilter", "cache", "llm"]
FinalStatus = Literal["approved", "rejected", "needs_review"]
CacheLookup = Literal["hit", "miss", "error", "skipped"]

STATUS_OF_VERDICT: dict[str, FinalStatus] = {"approve": "approved", "reject": "rejected", "flag": "needs_review"}
MAX_DESCRIPTION_CHARS = 8000


@dataclass(frozen=True)
class Evaluation:
    status: FinalStatus
    reason: str
    tier: Tier
    cache_lookup: CacheLookup
    cache_store_failed: bool = False
    llm: LLMOutcome | None = None


def prefilter_text(problem: ProblemRecord) -> str:
    return f"{problem.title}\n{problem.description}"


def model_content(problem: ProblemRecord) -> str:
    """What the model sees (and what the cache fingerprints): the fields that decide a verdict."""
    description = problem.description[:MAX_DESCRIPTION_CHARS]
    return f"Title: {problem.title}\nDomain: {problem.domain}\nSeverity: {problem.severity}\n\n{description}"


class Evaluator:
    def __init__(self, *, rules: RuleSet, cache: VerdictCache, classifier: LLMClassifier) -> None:
        self.rules = rules
        self.cache = cache
        self.classifier = classifier

    async def evaluate(self, problem: ProblemRecord) -> Evaluation:
        hit = self.rules.check(prefilter_text(problem))
        if hit is not None:
            return Evaluation(status=STATUS_OF_VERDICT[hit.verdict], reason=f"{hit.reason} (rule {hit.rule})",
                              tier="prefilter", cache_lookup="skipped")
        content = model_content(problem)
        cached, lookup = await self._cached(content)
        if cached is not None:
            return Evaluation(status=STATUS_OF_VERDICT[cached.verdict], reason=cached.reason,
                              tier="cache", cache_lookup="hit")
        outcome = await self.classifier.classify(content)
        if outcome.verdict is None:
            return Evaluation(status="needs_review", reason=outcome.failure or "no verdict", tier="llm",
                              cache_lookup=lookup, llm=outcome)
        stored = await self._store(content, CachedVerdict(verdict=outcome.verdict.verdict,
                                                          reason=outcome.verdict.reason,
                                                          model=self.classifier.model))
        return Evaluation(status=STATUS_OF_VERDICT[outcome.verdict.verdict], reason=outcome.verdict.reason,
                          tier="llm", cache_lookup=lookup, cache_store_failed=not stored, llm=outcome)

    async def _cached(self, content: str) -> tuple[CachedVerdict | None, CacheLookup]:
        # The cache saves money, it is not needed for correctness: an unreachable Redis is a miss.
        try:
            cached = await self.cache.get(content)
        except RedisError:
            return None, "error"
        if cached is None or cached.verdict not in STATUS_OF_VERDICT:
            return None, "miss"
        return cached, "hit"

    async def _store(self, content: str, verdict: CachedVerdict) -> bool:
        try:
            await self.cache.put(content, verdict)
        except RedisError:
            return False
        return True
