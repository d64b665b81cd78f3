"""A run's measurement health as the dashboard shows it: one word, a card tone, a short detail,
and the reasons when it is degraded. The one-line text is `harness.health.text.health_line`, the
same words as the run report and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from harness.health import health_line
from harness.results import RunResult

CLEAN, DEGRADED, NOT_RECORDED = "clean", "degraded", "not recorded"
TONES = {CLEAN: "ok", DEGRADED: "warning", NOT_RECORDED: "neutral"}


@dataclass(frozen=True)
class Measurement:
    state: str  # CLEAN, DEGRADED or NOT_RECORDED
    line: str  # health_line: the whole verdict in one line
    detail: str  # under the card's value
    reasons: tuple[str, ...]

    @property
    def tone(self) -> str:
        return TONES[self.state]

    @property
    def css_class(self) -> str:
        return "measurement-" + self.state.replace(" ", "-")


def measurement_of(result: RunResult) -> Measurement:
    health = result.health
    if health is None:
        return Measurement(NOT_RECORDED, health_line(None), "a result from before measurement health", ())
    bad = sum(1 for window in health.windows if window.reasons)
    detail = f"{bad} of {len(health.windows)} sample windows degraded"
    state = CLEAN if health.verdict == "clean" else DEGRADED
    return Measurement(state, health_line(health), detail, tuple(health.reasons))
