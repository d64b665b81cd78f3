-- The agent heartbeat counts the agent's problems still waiting for review on every beat; this
-- partial index holds only those rows, so the count stays cheap however many problems are settled.
CREATE INDEX IF NOT EXISTS problems_review_agent_idx
    ON problems (agent_id, status) WHERE status IN ('pending_review', 'needs_review');
