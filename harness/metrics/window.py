"""One time window of measurements, per scenario and per request, as recorded by one process.

Windows are the unit that travels: a worker sends its closed windows to the master, which adds
them into its totals and its time series. A local run does the same in one process.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.metrics.accumulators import (
    Accumulator,
    RateAccumulator,
    TrendAccumulator,
    accumulator_from_wire,
)
from harness.metrics.names import MetricKind

RequestKey = tuple[str, str, str]  # (scenario, method, name)


@dataclass
class RequestWindow:
    duration: TrendAccumulator = field(default_factory=TrendAccumulator)
    failures: Counter[str] = field(default_factory=Counter)

    def merge(self, other: RequestWindow) -> None:
        self.duration.merge(other.duration)
        self.failures.update(other.failures)

    def to_wire(self) -> dict[str, Any]:
        return {"duration": self.duration.to_wire(), "failures": dict(self.failures)}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> RequestWindow:
        return cls(TrendAccumulator.from_wire(data["duration"]), Counter(data["failures"]))


@dataclass
class ScenarioWindow:
    iterations_started: int = 0
    iterations_completed: int = 0
    iteration_errors: int = 0
    dropped: int = 0
    active_vus: int = 0
    allocated_vus: int = 0
    iteration_duration: TrendAccumulator = field(default_factory=TrendAccumulator)
    lag: TrendAccumulator = field(default_factory=TrendAccumulator)
    scheduled: TrendAccumulator = field(default_factory=TrendAccumulator)  # scheduled start -> end
    checks: dict[str, RateAccumulator] = field(default_factory=dict)
    custom: dict[str, tuple[MetricKind, Accumulator]] = field(default_factory=dict)

    def merge(self, other: ScenarioWindow) -> None:
        self.iterations_started += other.iterations_started
        self.iterations_completed += other.iterations_completed
        self.iteration_errors += other.iteration_errors
        self.dropped += other.dropped
        self.active_vus += other.active_vus
        self.allocated_vus += other.allocated_vus
        self.iteration_duration.merge(other.iteration_duration)
        self.lag.merge(other.lag)
        self.scheduled.merge(other.scheduled)
        for name, rate in other.checks.items():
            self.checks.setdefault(name, RateAccumulator()).merge(rate)
        for name, (kind, acc) in other.custom.items():
            if name in self.custom:
                self.custom[name][1].merge(acc)  # type: ignore[arg-type]
            else:
                self.custom[name] = (kind, type(acc).from_wire(acc.to_wire()))

    def to_wire(self) -> dict[str, Any]:
        return {
            "started": self.iterations_started,
            "completed": self.iterations_completed,
            "errors": self.iteration_errors,
            "dropped": self.dropped,
            "active_vus": self.active_vus,
            "allocated_vus": self.allocated_vus,
            "iteration_duration": self.iteration_duration.to_wire(),
            "lag": self.lag.to_wire(),
            "scheduled": self.scheduled.to_wire(),
            "checks": {name: rate.to_wire() for name, rate in self.checks.items()},
            "custom": {name: [kind.value, acc.to_wire()] for name, (kind, acc) in self.custom.items()},
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> ScenarioWindow:
        custom = {}
        for name, (kind_text, acc) in data["custom"].items():
            kind = MetricKind(kind_text)
            custom[name] = (kind, accumulator_from_wire(kind, acc))
        return cls(
            iterations_started=int(data["started"]),
            iterations_completed=int(data["completed"]),
            iteration_errors=int(data["errors"]),
            dropped=int(data["dropped"]),
            active_vus=int(data["active_vus"]),
            allocated_vus=int(data["allocated_vus"]),
            iteration_duration=TrendAccumulator.from_wire(data["iteration_duration"]),
            lag=TrendAccumulator.from_wire(data["lag"]),
            scheduled=TrendAccumulator.from_wire(data["scheduled"]),
            checks={name: RateAccumulator.from_wire(rate) for name, rate in data["checks"].items()},
            custom=custom,
        )


@dataclass
class Window:
    index: int
    requests: dict[RequestKey, RequestWindow] = field(default_factory=dict)
    scenarios: dict[str, ScenarioWindow] = field(default_factory=dict)

    def scenario(self, name: str) -> ScenarioWindow:
        window = self.scenarios.get(name)
        if window is None:
            window = self.scenarios[name] = ScenarioWindow()
        return window

    def to_wire(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "requests": [[list(key), value.to_wire()] for key, value in self.requests.items()],
            "scenarios": {name: value.to_wire() for name, value in self.scenarios.items()},
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Window:
        return cls(
            index=int(data["index"]),
            requests={tuple(key): RequestWindow.from_wire(value) for key, value in data["requests"]},  # type: ignore[misc]
            scenarios={name: ScenarioWindow.from_wire(value) for name, value in data["scenarios"].items()},
        )
