"""The worker's SQL: read a problem, write a verdict.

Idempotency lives here: the verdict row (UNIQUE problem_id) and the problem's status change are
one statement in one transaction, and a second verdict for the same problem changes nothing. So a
job delivered twice (a reclaimed job whose first worker was only slow) takes effect once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from psycopg_pool import AsyncConnectionPool

FinalStatus = str   # approved | rejected | needs_review

_LOAD_PROBLEM = """
SELECT p.title, p.description, p.domain, p.severity, e.id IS NOT NULL AS evaluated
FROM problems p LEFT JOIN guardrail_evaluations e ON e.problem_id = p.id
WHERE p.id = %s
"""

# One statement: the insert either happens (and the status moves) or finds the existing verdict
# (and nothing moves). The CTE runs in the caller's transaction.
_RECORD_VERDICT = """
WITH inserted AS (
    INSERT INTO guardrail_evaluations
        (problem_id, job_id, verdict, reason, tier, model, input_tokens, output_tokens, cost_usd,
         llm_duration_ms, enqueued_at)
    VALUES (%(problem_id)s, %(job_id)s, %(verdict)s, %(reason)s, %(tier)s, %(model)s,
            %(input_tokens)s, %(output_tokens)s, %(cost_usd)s, %(llm_duration_ms)s,
            to_timestamp(%(enqueued_at_ms)s / 1000.0))
    ON CONFLICT (problem_id) DO NOTHING
    RETURNING problem_id
)
UPDATE problems p
SET status = %(verdict)s, guardrail_reason = %(reason)s, guardrail_tier = %(tier)s, updated_at = now()
FROM inserted
WHERE p.id = inserted.problem_id
RETURNING p.id
"""


@dataclass(frozen=True)
class ProblemRecord:
    id: int
    title: str
    description: str
    domain: str
    severity: str
    evaluated: bool


@dataclass(frozen=True)
class VerdictRecord:
    problem_id: int
    job_id: str
    verdict: FinalStatus
    reason: str
    tier: str                       # prefilter | cache | llm | dead_letter
    enqueued_at_ms: int
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    llm_duration_ms: float | None = None


def open_pool(database_url: str, *, max_size: int, statement_timeout_ms: int, timeout_s: float) -> AsyncConnectionPool:
    """A pool (not yet opened) whose connections are checked on checkout, so a database restart
    costs one failed check instead of one failed job per stale connection."""
    return AsyncConnectionPool(
        database_url,
        min_size=1,
        max_size=max_size,
        timeout=timeout_s,
        open=False,
        check=AsyncConnectionPool.check_connection,
        kwargs={"options": f"-c statement_timeout={statement_timeout_ms}", "application_name": "guardrail-worker"},
    )


class Store:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def load_problem(self, problem_id: int) -> ProblemRecord | None:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(_LOAD_PROBLEM, (problem_id,))
            row = await cursor.fetchone()
        if row is None:
            return None
        title, description, domain, severity, evaluated = row
        return ProblemRecord(id=problem_id, title=title, description=description, domain=domain,
                             severity=severity, evaluated=bool(evaluated))

    async def record_verdict(self, record: VerdictRecord) -> bool:
        """Commit the verdict and the status change; False if the problem already had a verdict."""
        params = {
            "problem_id": record.problem_id, "job_id": record.job_id, "verdict": record.verdict,
            "reason": record.reason, "tier": record.tier, "model": record.model,
            "input_tokens": record.input_tokens, "output_tokens": record.output_tokens,
            "cost_usd": record.cost_usd, "llm_duration_ms": record.llm_duration_ms,
            "enqueued_at_ms": record.enqueued_at_ms,
        }
        async with self.pool.connection() as conn:
            async with conn.transaction():
                cursor = await conn.execute(_RECORD_VERDICT, params)
                return await cursor.fetchone() is not None
