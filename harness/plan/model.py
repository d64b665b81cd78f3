"""The validated plan: scenarios (executor configs), thresholds, profiles and our options."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.data.spec import DataSpec
from harness.errors import PlanError
from harness.executors.base import ScenarioConfig
from harness.metrics.names import DEFAULT_SAMPLE_INTERVAL_S, DEFAULT_WINDOW_S
from harness.parsing.durations import format_duration
from harness.parsing.limits import MAX_DURATION_S
from harness.thresholds import ThresholdSpec

# Built-in profiles; a plan's `profiles:` may redefine them or add others.
DEFAULT_PROFILES: dict[str, float] = {"full": 1.0, "ci": 0.2, "smoke": 0.067}
FULL_PROFILE = "full"
DEFAULT_UNREACHABLE_STOP_S = 10.0


@dataclass(frozen=True)
class Plan:
    path: Path
    sha256: str
    document: Mapping[str, Any]
    scenarios: Mapping[str, ScenarioConfig]
    thresholds: tuple[ThresholdSpec, ...]
    profiles: Mapping[str, float]
    behaviours: str | None = None
    agents: int = 0
    window_s: float = DEFAULT_WINDOW_S
    sample_interval_s: float = DEFAULT_SAMPLE_INTERVAL_S
    # `target: {stopWhenUnreachableFor: 10s}`: every request failing to connect this long stops the
    # run early (0: never). Longer than a supervised API restart under load (2.5-3.5 s).
    unreachable_stop_s: float = DEFAULT_UNREACHABLE_STOP_S
    profile: str = FULL_PROFILE
    stack_env: Mapping[str, str] = field(default_factory=dict)  # for the embedded stack only
    display_path: str = field(default="")
    # `stack: {seed: {problems, missions}}`: the embedded stack's preload (None: the CLI's default),
    # multiplied by the profile's `seed_scale` (profiles without one: 1.0).
    stack_seed: tuple[int, int] | None = None
    seed_scales: Mapping[str, float] = field(default_factory=dict)
    goals: tuple[Any, ...] = ()  # harness.goals.spec.GoalSpec, judged after the run
    data: Mapping[str, DataSpec] = field(default_factory=dict)  # `data:`, read per process at load start

    def seed_sizes(self) -> tuple[int, int] | None:
        """(problems, missions) to preload for this plan's profile, or None for the default."""
        if self.stack_seed is None:
            return None
        scale = self.seed_scales.get(self.profile, 1.0)
        return tuple(max(1, round(n * scale)) if n else 0 for n in self.stack_seed)  # type: ignore[return-value]

    def with_profile(self, name: str) -> Plan:
        """The plan with every duration scaled by the profile's `duration_scale`."""
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles))
            raise PlanError([f"{self.display_path}: profiles has no profile {name!r} (known: {known})"])
        scale = self.profiles[name]
        scenarios = {key: config.scaled(scale) for key, config in self.scenarios.items()}
        too_long = [f"{self.display_path}: scenarios.{key} lasts {format_duration(config.duration_s)} with profile "
                    f"{name!r} (duration_scale {scale:g}); the limit is {format_duration(MAX_DURATION_S)}"
                    for key, config in scenarios.items() if config.duration_s > MAX_DURATION_S]
        if too_long:
            raise PlanError(too_long)
        return dataclasses.replace(self, scenarios=scenarios, profile=name)

    @property
    def duration_s(self) -> float:
        """The longest scenario end, startTime included, gracefulStop excluded."""
        return max(c.common.start_time_s + c.duration_s for c in self.scenarios.values())

    @property
    def hard_deadline_s(self) -> float:
        """When every scenario must have stopped, gracefulStop (and ramp-down) included."""
        ends = []
        for config in self.scenarios.values():
            extra = getattr(config, "graceful_ramp_down_s", 0.0)
            ends.append(config.common.start_time_s + config.duration_s + config.common.graceful_stop_s + extra)
        return max(ends)
