"""Custom metrics a behaviour module declares, as k6 scripts do with `new Trend("name")`.

    from harness.metrics.custom import Rate, Trend
    ERRORS = Rate("errors")
    GUARDRAIL_LATENCY = Trend("guardrail_latency", time=True)   # milliseconds, like k6's isTime

    def create_problem(vu):
        ...
        vu.metrics.add(GUARDRAIL_LATENCY, elapsed_ms)
        vu.metrics.add(ERRORS, not ok)

The engine finds the declarations among the module's attributes (`declared_metrics`), so
thresholds on them are checked before load starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from harness.metrics.names import BUILTIN_METRICS, MetricKind


@dataclass(frozen=True)
class MetricDeclaration:
    name: str
    kind: MetricKind
    is_time: bool = False  # a Trend of durations in ms (k6: `new Trend(name, true)`)

    def __post_init__(self) -> None:
        if self.name in BUILTIN_METRICS:
            raise ValueError(f"{self.name!r} is a built-in metric and cannot be declared again")


def Trend(name: str, *, time: bool = False) -> MetricDeclaration:  # noqa: N802 - reads like k6's `new Trend(...)`
    """A distribution of values, with percentiles; `time=True` marks milliseconds (a latency),
    so results, comparisons and reports treat it as one."""
    return MetricDeclaration(name, MetricKind.TREND, is_time=time)


def Rate(name: str) -> MetricDeclaration:  # noqa: N802
    """The share of non-zero values (k6 Rate): add True/1 for a hit, False/0 for a miss."""
    return MetricDeclaration(name, MetricKind.RATE)


def Counter(name: str) -> MetricDeclaration:  # noqa: N802
    """A cumulative sum."""
    return MetricDeclaration(name, MetricKind.COUNTER)


def declared_time_trends(module: ModuleType) -> frozenset[str]:
    """Names of the time trends a module declares."""
    return frozenset(v.name for v in vars(module).values() if isinstance(v, MetricDeclaration) and v.is_time)


def declared_metrics(module: ModuleType) -> dict[str, MetricKind]:
    """Every `MetricDeclaration` among a module's attributes, by metric name."""
    found: dict[str, MetricKind] = {}
    for value in vars(module).values():
        if isinstance(value, MetricDeclaration):
            if found.get(value.name, value.kind) != value.kind:
                raise ValueError(f"metric {value.name!r} is declared with two kinds in {module.__name__}")
            found[value.name] = value.kind
    return found
