"""The `goals:` list of a plan: one typed check per item, validated when the plan is read.

    goals:
      - {name: "no pool exhaustion", kind: db_pool, max_timeouts: 0, max_waiting: 50}
      - {name: "drained in 10 min", kind: queue_drained, within: 10m}
      - {name: "worker RSS bounded", kind: memory_growth, source: worker, max_growth_ratio: 1.5}
      - {name: "no Redis memory pressure", kind: redis_memory, max_used_ratio: 0.8, max_evicted: 0}
      - {name: "queue cannot be evicted", kind: redis_policy}          # a warning row, never a failure
      - {name: "no data loss", kind: no_data_loss, allow_pending: true}

Durations (`within`) are scaled by the run's profile like every other duration of the plan.

Goals are what k6 thresholds cannot say (drain, memory growth, reconciliation, broker policy).
Latency and error rates are thresholds: `http_req_duration{scenario:burst}: ["p(95)<2000"]`,
`http_req_failed: ["rate<0.05"]`. The former goal kinds `latency` and `error_rate` are refused
with the threshold to write instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from harness.parsing.durations import parse_duration_s

Source = Literal["api", "worker"]


class _Goal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)


class DbPoolGoal(_Goal):
    """The API's pool: db_pool_timeouts_total grows by at most `max_timeouts`, db_pool_waiting stays <= `max_waiting`."""

    kind: Literal["db_pool"]
    max_timeouts: int = Field(default=0, ge=0)
    max_waiting: float = Field(ge=0)


class QueueDrainedGoal(_Goal):
    """guardrail_queue_length reaches 0 within `within` of the end of the load (scaled by the profile)."""

    kind: Literal["queue_drained"]
    within_s: float = Field(alias="within", gt=0)
    metric: str = "guardrail_queue_length"

    @field_validator("within_s", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration_s(value) if isinstance(value, str) else value


class MemoryGrowthGoal(_Goal):
    """process_resident_memory_bytes of a process: last <= first * ratio, max <= `max_bytes`, no restart."""

    kind: Literal["memory_growth"]
    source: Source = "worker"
    max_growth_ratio: float = Field(default=1.5, gt=0)
    max_bytes: int | None = Field(default=None, gt=0)


class RedisMemoryGoal(_Goal):
    """used_memory / maxmemory stays <= `max_used_ratio` (when a maxmemory is set); evicted_keys grows by <= `max_evicted`."""

    kind: Literal["redis_memory"]
    max_used_ratio: float = Field(default=0.8, gt=0, le=1)
    max_evicted: int = Field(default=0, ge=0)


class RedisPolicyGoal(_Goal):
    """A warning row when the broker's maxmemory-policy can evict queued jobs (DESIGN.md §5)."""

    kind: Literal["redis_policy"]


class NoDataLossGoal(_Goal):
    """Every acknowledged write reconciled: no missing problem, stuck job or lost agent.
    With `allow_pending: false`, a problem still waiting for its verdict counts as not processed."""

    kind: Literal["no_data_loss"]
    allow_pending: bool = True


GoalSpec = Annotated[
    DbPoolGoal | QueueDrainedGoal | MemoryGrowthGoal | RedisMemoryGoal | RedisPolicyGoal | NoDataLossGoal,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[GoalSpec] = TypeAdapter(GoalSpec)
KINDS = ("db_pool", "queue_drained", "memory_growth", "redis_memory", "redis_policy", "no_data_loss")
# Former goal kinds that k6 thresholds say: refused, with the threshold to write instead.
THRESHOLD_KINDS = ("latency", "error_rate")


def parse_goals(raw: Any) -> tuple[tuple[GoalSpec, ...], list[tuple[str, str]]]:
    """The goals and every problem as (key path, message), e.g. ("goals[2].max_ms", "is required ...")."""
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [("goals", f"must be a list of goals, but is {type(raw).__name__}")]
    goals: list[GoalSpec] = []
    problems: list[tuple[str, str]] = []
    names: set[str] = set()
    for number, item in enumerate(raw, start=1):
        path = f"goals[{number}]"
        if isinstance(item, dict) and item.get("kind") in THRESHOLD_KINDS:
            problems.append((f"{path}.kind", threshold_instead(item)))
            continue
        if isinstance(item, dict) and item.get("kind") not in KINDS:
            problems.append((f"{path}.kind", f"must be one of {', '.join(KINDS)}, but is {item.get('kind')!r}"))
            continue
        try:
            goal = _ADAPTER.validate_python(item)
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(part) for part in detail["loc"][1:])
                problems.append((f"{path}.{where}" if where else path, detail["msg"]))
            continue
        if goal.name in names:
            problems.append((f"{path}.name", f"repeats the goal name {goal.name!r}"))
        names.add(goal.name)
        goals.append(goal)
    return tuple(goals), problems


def threshold_instead(item: Mapping[str, Any]) -> str:
    """The message for a `latency` / `error_rate` goal: the k6 threshold that says the same, built
    from the goal's own fields where they can be read (one key per scenario: k6 filters one tag value)."""
    latency = item.get("kind") == "latency"
    metric = "http_req_duration" if latency else "http_req_failed"
    try:
        expression = (f"p({float(item.get('percentile', 95)):g})<{float(item['max_ms']):g}" if latency
                      else f"rate<{float(item['max_rate']):g}")
    except (KeyError, TypeError, ValueError):
        expression = "p(95)<2000" if latency else "rate<0.05"
    scenarios = item.get("scenarios")
    request = item.get("request") if latency else None
    keys = []
    for scenario in scenarios if isinstance(scenarios, list) and scenarios else [None]:
        tags = ([f"scenario:{scenario}"] if scenario is not None else []) + ([f"name:{request}"] if request else [])
        keys.append(metric + (f"{{{','.join(tags)}}}" if tags else ""))
    suggestion = ", ".join(f'"{key}": ["{expression}"]' for key in keys)
    return (f"is {item.get('kind')!r}, which is no longer a goal kind (a k6 threshold says it): remove the goal "
            f"and write thresholds: {{{suggestion}}}")
