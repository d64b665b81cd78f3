"""What a run measured, as the cost projection needs it, and the parsing shared by the adapters.

`Measurements` is the only thing the projection reads; `result_adapter` builds it from a run
result (the harness's own `result.json`, or a k6-style summary).

Guardrail tokens and cost are per *LLM call*: the projection multiplies them by the LLM calls a
tier makes after its cache and pre-filter, so dividing by every evaluation would count the
cache's saving twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from harness.costs.errors import ResultFileError
from harness.thresholds import latency_limits

SUSTAIN_WINDOWS = 3
HTTP_REQ_DURATION = "http_req_duration"
EMULATOR_CAVEAT = "from the LLM emulator's token counts, not a real model"

LlmSource = Literal["emulator", "unknown"]


@dataclass(frozen=True)
class Measurements:
    """Measured inputs to the projection. Rates are per instance; tokens and cost per LLM call."""

    source_label: str  # run id and label, printed beside every projected number
    api_capacity_rps: float  # sustained req/s one API instance served with p95 within budget
    p95_budget_ms: float
    api_p95_ms: float | None = None  # worst p95 while sustaining that rate
    eval_input_tokens: float | None = None  # mean per guardrail LLM call
    eval_output_tokens: float | None = None
    eval_cost_usd: Decimal | None = None  # measured directly; else priced from tokens
    guardrail_evals_per_s: float | None = None  # observed per worker (a lower bound unless saturated)
    redis_used_share: float | None = None  # peak used_memory / maxmemory (harness.results.samples.redis_headroom)
    notes: tuple[str, ...] = field(default=())  # caveats about the run, shown with the numbers
    # Who answered the guardrail's LLM calls: "emulator" makes every measured token count and
    # cost a property of the emulator (app/llm_emulator), which every format must say.
    llm_source: LlmSource = "unknown"

    @property
    def from_emulator(self) -> bool:
        """True when the guardrail's tokens (and so its measured cost) came from the LLM emulator."""
        return self.llm_source == "emulator" and (self.eval_input_tokens is not None or self.eval_cost_usd is not None)

    def __post_init__(self) -> None:
        if not (self.api_capacity_rps > 0 and math.isfinite(self.api_capacity_rps)):
            raise ValueError(f"api_capacity_rps must be > 0, but is {self.api_capacity_rps}")
        if not self.p95_budget_ms > 0:
            raise ValueError(f"p95_budget_ms must be > 0, but is {self.p95_budget_ms}")
        if self.guardrail_evals_per_s is not None and not self.guardrail_evals_per_s > 0:
            raise ValueError(f"guardrail_evals_per_s must be > 0, but is {self.guardrail_evals_per_s}")


@dataclass(frozen=True)
class Window:
    duration_s: float
    requests: float
    p95_ms: float

    @property
    def rate_rps(self) -> float:
        return self.requests / self.duration_s


def sustained_capacity_rps(
    windows: Sequence[Window], *, p95_budget_ms: float, sustain_windows: int = SUSTAIN_WINDOWS
) -> tuple[float, float] | None:
    """Best (rate, worst p95) held over `sustain_windows` consecutive in-budget windows, or None.

    A run of windows counts at its *lowest* rate: that is the rate it sustained.
    """
    best: tuple[float, float] | None = None
    for start in range(len(windows) - sustain_windows + 1):
        run = windows[start : start + sustain_windows]
        if all(w.p95_ms <= p95_budget_ms for w in run):
            rate = min(w.rate_rps for w in run)
            worst_p95 = max(w.p95_ms for w in run)
            if best is None or rate > best[0]:
                best = (rate, worst_p95)
    return best


def p95_budget_ms(thresholds: Iterable[tuple[str, str]], source: str) -> float:
    """The run-wide `http_req_duration` p95 budget; failing that, the strictest tagged one.

    `thresholds` are `(key, expression)` pairs, read by `harness.thresholds.latency_limits` (as the
    report and the dashboard read their budget lines).
    """
    limits = [limit for limit in latency_limits(thresholds, metric=HTTP_REQ_DURATION) if limit.percentile == 95.0]
    run_wide = [limit.limit_ms for limit in limits if not limit.tags]
    tagged = [limit.limit_ms for limit in limits if limit.tags]
    if run_wide or tagged:
        return min(run_wide or tagged)
    raise ResultFileError(source, 'thresholds.http_req_duration needs a "p(95)<N" rule (the p95 budget in ms)')


def k6_threshold_pairs(thresholds: Any) -> list[tuple[str, str]]:
    """`(key, expression)` pairs of k6's form `{"http_req_duration": ["p(95)<200", {"threshold": ...}]}`."""
    pairs: list[tuple[str, str]] = []
    if isinstance(thresholds, dict):
        for key, rules in thresholds.items():
            for rule in rules if isinstance(rules, list) else [rules]:
                text = rule.get("threshold") if isinstance(rule, dict) else rule
                if isinstance(text, str):
                    pairs.append((str(key), text))
    return pairs


def capacity_within_budget(
    windows: list[Window], *, whole_run: tuple[float, float] | None, budget_ms: float, source: str
) -> tuple[float, float]:
    """Sustained capacity from the windows when there are enough; else the whole run's rate."""
    if len(windows) >= SUSTAIN_WINDOWS:
        found = sustained_capacity_rps(windows, p95_budget_ms=budget_ms)
        if found is None:
            raise ResultFileError(
                source, f"no {SUSTAIN_WINDOWS} consecutive windows kept p95 within {budget_ms:g} ms;"
                " the run gives no capacity within budget"
            )
        return found
    if whole_run is None:
        raise ResultFileError(source, "metrics.http_reqs.rate is required")
    rate, p95 = whole_run
    if p95 > budget_ms:
        raise ResultFileError(
            source, f"metrics.http_req_duration p(95) is {p95:g} ms, over the {budget_ms:g} ms budget;"
            " the run gives no capacity within budget"
        )
    return rate, p95


def number(value: Any, path: str, source: str) -> float:
    """A finite number >= 0, or a ResultFileError naming the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ResultFileError(source, f"{path} must be a number >= 0, but is {value!r}")
    return float(value)


def positive(data: Mapping[str, Any], key: str, source: str, *, path: str, default: float | None = None) -> float:
    value = data.get(key, default)
    result = number(value, path, source)
    if result <= 0:
        raise ResultFileError(source, f"{path} must be > 0, but is {value!r}")
    return result


def to_decimal(value: float) -> Decimal:
    # Measured floats enter the money arithmetic through their shortest text (0.1 stays 0.1).
    return Decimal(repr(value))
