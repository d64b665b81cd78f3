"""One insight: what a rule read in a run, said in one sentence with its figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Insight:
    """`kind` names the rule; `evidence` says where it was read (windows, time range, source)."""

    kind: str
    severity: Severity
    title: str
    evidence: tuple[str, ...]
    scenario: str | None = None
    t_from_s: float | None = None
    t_to_s: float | None = None


def span_text(t_from_s: float, t_to_s: float) -> str:
    """'30-40 s' (seconds from the run start)."""
    return f"{t_from_s:g}-{t_to_s:g} s"
