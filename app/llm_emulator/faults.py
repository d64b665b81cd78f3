"""Injected failures: 429 rate limits, 529 overload, hangs past the client timeout, malformed answers.

Each request draws at most one fault, with the configured probabilities (their sum must not
exceed 1). `max_faults` optionally limits how many faults are injected before the emulator is
healthy again, so a test can ask for "the next two requests fail". The configuration is set at
start (CLI/env) and replaced at run time through the admin endpoint.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal
from collections.abc import Mapping

Fault = Literal["rate_limit", "overloaded", "timeout", "malformed"]
_RATE_OF: tuple[tuple[str, Fault], ...] = (
    ("rate_429", "rate_limit"), ("rate_529", "overloaded"), ("rate_timeout", "timeout"), ("rate_malformed", "malformed"),
)


class FaultConfigError(ValueError):
    """A fault setting is unknown or out of range; the message names it."""


@dataclass(frozen=True)
class FaultConfig:
    rate_429: float = 0.0
    rate_529: float = 0.0
    rate_timeout: float = 0.0
    rate_malformed: float = 0.0
    retry_after_s: float = 1.0      # sent as `retry-after` (whole seconds) and `retry-after-ms`
    hang_s: float = 600.0           # how long a "timeout" request sleeps before answering
    max_faults: int | None = None   # None: no limit

    def problems(self) -> list[str]:
        found = [f"{name} must be between 0 and 1, but is {getattr(self, name)}"
                 for name, _ in _RATE_OF if not 0 <= getattr(self, name) <= 1]
        total = sum(getattr(self, name) for name, _ in _RATE_OF)
        if total > 1 + 1e-9:
            found.append(f"the fault rates must add up to at most 1, but add up to {total:g}")
        if self.retry_after_s < 0:
            found.append(f"retry_after_s must be >= 0, but is {self.retry_after_s}")
        if self.hang_s < 0:
            found.append(f"hang_s must be >= 0, but is {self.hang_s}")
        if self.max_faults is not None and self.max_faults < 0:
            found.append(f"max_faults must be >= 0 or null, but is {self.max_faults}")
        return found

    def updated(self, changes: Mapping[str, Any]) -> FaultConfig:
        """A copy with `changes` applied; FaultConfigError lists unknown keys and bad values."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise FaultConfigError(f"unknown fault setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        typed: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "max_faults":
                ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
            else:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok:
                raise FaultConfigError(f"{name} must be a number{' or null' if name == 'max_faults' else ''}, "
                                       f"but is {value!r}")
            typed[name] = value if name == "max_faults" else float(value)
        config = replace(self, **typed)
        problems = config.problems()
        if problems:
            raise FaultConfigError("; ".join(problems))
        return config

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Draws the fault (or none) for each request from a seeded RNG."""

    def __init__(self, config: FaultConfig, rng: random.Random) -> None:
        self.config = config
        self.rng = rng
        self.remaining = config.max_faults

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self.remaining = config.max_faults

    def draw(self) -> Fault | None:
        if self.remaining == 0:
            return None
        roll = self.rng.random()
        threshold = 0.0
        for name, fault in _RATE_OF:
            threshold += getattr(self.config, name)
            if roll < threshold:
                if self.remaining is not None:
                    self.remaining -= 1
                return fault
        return None
