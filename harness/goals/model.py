"""What the goals are judged on besides the run result: the reconciliation report the post-run
checks write beside it (`reconciliation.json`). What they yield, one `GoalOutcome` per goal in a
`GoalsVerdict`, is part of the run result itself (`RunResult.goals`, harness.results.model)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from harness.results.model import GoalOutcome, GoalsVerdict, UnaccountedItem

RECONCILIATION_FILE_NAME = "reconciliation.json"

__all__ = ["RECONCILIATION_FILE_NAME", "GoalOutcome", "GoalsVerdict", "QueueState", "ReconciliationReport",
           "UnaccountedItem"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

