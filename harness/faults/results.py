"""What a fault scenario measured: typed figures, each with its goal.

Every scenario returns its own frozen dataclass (the tests assert on its fields); `figures()`
turns it into `Figure`s for `bwperf selftest`, which prints them and fails when one misses its
goal. A figure without a goal is information only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | int | bool | None
    unit: str = ""
    goal: str = ""      # human text of the goal, e.g. "<= 3.0 s"; empty: information only
    ok: bool | None = None

    @classmethod
    def info(cls, name: str, value: float | bool | None, unit: str = "") -> Figure:
        return cls(name, value, unit)

    @classmethod
    def at_most(cls, name: str, value: float | None, limit: float, unit: str = "") -> Figure:
        ok = value is not None and value <= limit
        return cls(name, value, unit, f"<= {limit:g}{' ' + unit if unit else ''}", ok)

    @classmethod
    def at_least(cls, name: str, value: float | None, limit: float, unit: str = "") -> Figure:
        ok = value is not None and value >= limit
        return cls(name, value, unit, f">= {limit:g}{' ' + unit if unit else ''}", ok)

    @classmethod
    def zero(cls, name: str, value: int, unit: str = "") -> Figure:
        return cls(name, value, unit, "0", value == 0)

    @classmethod
    def true(cls, name: str, value: bool) -> Figure:
        return cls(name, value, "", "yes", bool(value))

    def shown(self) -> str:
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        if isinstance(self.value, float):
            return f"{self.value:.3f}{' ' + self.unit if self.unit else ''}"
        if self.value is None:
            return "-"
        return f"{self.value}{' ' + self.unit if self.unit else ''}"


@dataclass(frozen=True)
class FaultResult(ABC):
    """Base of every scenario's result: how much it tried, and how many faults it injected."""

    requests_tried: int
    faults_injected: int

    @property
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def figures(self) -> list[Figure]: ...

    @property
    def ok(self) -> bool:
        return not self.failures()

    def failures(self) -> list[Figure]:
        return [figure for figure in self.figures() if figure.ok is False]

    def summary(self) -> str:
        """One line per figure, for assertion messages and logs."""
        lines = [f"{self.name}:"]
        for figure in self.figures():
            mark = "" if figure.ok is None else (" ok" if figure.ok else f" FAILED (goal {figure.goal})")
            lines.append(f"  {figure.name}: {figure.shown()}{mark}")
        return "\n".join(lines)
