"""What the goals are judged on besides the run result (the reconciliation report), and what
they yield (one outcome per goal). Both are written beside the result as JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RECONCILIATION_FILE_NAME = "reconciliation.json"
GOALS_FILE_NAME = "goals.json"

Status = Literal["pass", "fail", "warn"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnaccountedItem(_Model):
    """One acknowledged write the platform cannot account for."""

    kind: Literal["problem", "job", "agent"]
    id: str
    reason: str


class QueueState(_Model):
    stream_length: int = 0
    pending: int = 0
    dead_letter_length: int = 0


class ReconciliationReport(_Model):
    """After the run: every recorded write checked against the API and the queue."""

    agents_recorded: int = 0
    agents_verified: int = 0
    problems_recorded: int = 0
    problems_final: int = 0
    problems_pending: int = Field(default=0, description="pending_review with its job still queued (legitimate)")
    jobs_recorded: int = 0
    queue: QueueState = Field(default_factory=QueueState)
    missing: list[UnaccountedItem] = Field(default_factory=list, description="problems the API does not return")
    stuck: list[UnaccountedItem] = Field(default_factory=list, description="jobs lost, dead-lettered or pending under a dead consumer")
    lost_agents: list[UnaccountedItem] = Field(default_factory=list, description="agents that cannot authenticate")
    notes: list[str] = Field(default_factory=list)

    @property
    def unaccounted(self) -> list[UnaccountedItem]:
        return [*self.missing, *self.stuck, *self.lost_agents]


class GoalOutcome(_Model):
    name: str
    kind: str
    status: Status
    observed: str = Field(description="the figure, as shown")
    limit: str
    detail: str = ""


class GoalReport(_Model):
    plan_path: str
    profile: str
    outcomes: list[GoalOutcome]
    reconciliation: ReconciliationReport | None = None

    @property
    def ok(self) -> bool:
        return all(o.status != "fail" for o in self.outcomes)
