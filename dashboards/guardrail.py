"""The guardrail worker as the run's Prometheus samples saw it (app/worker/metrics.py's names).

    guardrail_evaluations_total{outcome,tier}        verdicts, by the tier that decided
                                                     (prefilter, cache, llm, dead_letter)
    guardrail_queue_length                           XLEN of the job stream (the API has it too)
    guardrail_evaluation_duration_seconds{tier}      enqueue -> committed verdict (histogram)
    guardrail_cache_lookups_total{result}            hit, miss, error
    guardrail_llm_calls_total{model,result}
    guardrail_llm_cost_usd_total{model}

A worker is a sampled URL that exports `guardrail_evaluations_total`. Pure functions of `Samples`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.results import PrometheusSample, Samples
from harness.results import samples as prom

EVALUATIONS = "guardrail_evaluations_total"
QUEUE_LENGTH = "guardrail_queue_length"
EVALUATION_DURATION = "guardrail_evaluation_duration_seconds"
CACHE_LOOKUPS = "guardrail_cache_lookups_total"
LLM_CALLS = "guardrail_llm_calls_total"
LLM_COST = "guardrail_llm_cost_usd_total"
TIER_ORDER = ("prefilter", "cache", "llm", "dead_letter")


@dataclass(frozen=True)
class WorkerSeries:
    url: str
    evaluations_per_s: prom.Line
    evaluation_p95_s: prom.Line
    llm_cost_usd: prom.Line  # cumulative since the first scrape


@dataclass(frozen=True)
class GuardrailSummary:
    workers: tuple[WorkerSeries, ...]
    queue_length: prom.Line
    queue_source: str | None  # the URL the queue length was read from
    evaluations: float
    by_tier: Mapping[str, float]  # evaluations decided by each tier
    cache_hits: float
    cache_lookups: float
    llm_calls: float
    llm_cost_usd: float
    sampled_s: float  # first to last scrape of the workers
    evaluation_p95_s: float | None  # over the whole run, from the histogram's increase

    def source_name(self, url: str | None) -> str:
        """What a person calls a scraped endpoint: "guardrail worker" (numbered when there are
        several), else "API server"; never its URL, whose port changes every run."""
        workers = [w.url for w in self.workers]
        if url in workers:
            return "guardrail worker" if len(workers) == 1 else f"guardrail worker {workers.index(url) + 1}"
        return "API server"

    @property
    def evaluations_per_s(self) -> float | None:
        return self.evaluations / self.sampled_s if self.sampled_s > 0 else None

    @property
    def tier_shares(self) -> dict[str, float]:
        total = sum(self.by_tier.values())
        return {tier: count / total for tier, count in self.by_tier.items()} if total else {}

    @property
    def cache_hit_ratio(self) -> float | None:
        return self.cache_hits / self.cache_lookups if self.cache_lookups else None

    @property
    def cost_per_1k_evaluations_usd(self) -> float | None:
        return 1000.0 * self.llm_cost_usd / self.evaluations if self.evaluations else None


def guardrail_summary(samples: Samples) -> GuardrailSummary | None:
    """What the samples say about the guardrail; None when no sampled URL exports its metrics."""
    scrapes = prom.by_url(samples)
    workers = {url: points for url, points in scrapes.items() if prom.exports(points, EVALUATIONS)}
    queue_source = _queue_source(scrapes, preferred=list(workers))
    if not workers and queue_source is None:
        return None
    by_tier: dict[str, float] = {}
    for points in workers.values():
        for tier in prom.label_values(points, EVALUATIONS, "tier"):
            by_tier[tier] = by_tier.get(tier, 0.0) + prom.increase(points, EVALUATIONS, tier=tier)
    spans = [points[-1].t_s - points[0].t_s for points in workers.values()]
    return GuardrailSummary(
        workers=tuple(_worker(url, points) for url, points in workers.items()),
        queue_length=prom.gauge(scrapes[queue_source], QUEUE_LENGTH) if queue_source else prom.EMPTY,
        queue_source=queue_source,
        evaluations=sum(prom.increase(points, EVALUATIONS) for points in workers.values()),
        by_tier=dict(sorted(by_tier.items(), key=lambda item: _tier_rank(item[0]))),
        cache_hits=sum(prom.increase(points, CACHE_LOOKUPS, result="hit") for points in workers.values()),
        cache_lookups=sum(prom.increase(points, CACHE_LOOKUPS) for points in workers.values()),
        llm_calls=sum(prom.increase(points, LLM_CALLS) for points in workers.values()),
        llm_cost_usd=sum(prom.increase(points, LLM_COST) for points in workers.values()),
        sampled_s=max(spans, default=0.0),
        evaluation_p95_s=_run_quantile(list(workers.values()), 0.95),
    )


def _worker(url: str, points: list[PrometheusSample]) -> WorkerSeries:
    return WorkerSeries(
        url=url,
        evaluations_per_s=prom.counter_rate(points, EVALUATIONS),
        evaluation_p95_s=prom.quantile_over_time(points, EVALUATION_DURATION, 0.95),
        llm_cost_usd=prom.cumulative_increase(points, LLM_COST),
    )


def _queue_source(scrapes: Mapping[str, list[PrometheusSample]], *, preferred: list[str]) -> str | None:
    """The worker's URL when it exports the queue length, else the first URL that does (the API)."""
    candidates = preferred + sorted(url for url in scrapes if url not in preferred)
    for url in candidates:
        if prom.exports(scrapes[url], QUEUE_LENGTH):
            return url
    return None


def _run_quantile(workers: list[list[PrometheusSample]], quantile: float) -> float | None:
    """The quantile of every observation between each worker's first and last scrape."""
    summed: dict[float, float] = {}
    for points in workers:
        for le, grown in prom.bucket_increase(points, EVALUATION_DURATION).items():
            summed[le] = summed.get(le, 0.0) + grown
    return prom.histogram_quantile(quantile, list(summed.items()))


def _tier_rank(tier: str) -> tuple[int, str]:
    return (TIER_ORDER.index(tier), tier) if tier in TIER_ORDER else (len(TIER_ORDER), tier)
