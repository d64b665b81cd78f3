-- Agent usernames are unique regardless of case, like emails (issue 18 point 10): "Alice" after
-- "alice" is a conflict. The name is stored as the agent wrote it; lookups compare lower(username).
-- The index replaces 001's case-sensitive UNIQUE constraint (one index to maintain, not two).
-- On a database that already holds two names differing only in case this migration fails and
-- names them; rename one (UPDATE agents SET username = ... WHERE id = ...) and run it again.

CREATE UNIQUE INDEX IF NOT EXISTS agents_username_lower_key ON agents (lower(username));
ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_username_key;
