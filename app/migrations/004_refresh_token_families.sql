-- Refresh-token rotation with reuse detection (RFC 9700 §4.14.2; issue 18 point 10).
-- One row per login ("family"). Each refresh token names its family (`fam` claim) and carries a
-- `jti`; only the family's current jti may be exchanged, once. Presenting an older one means a
-- copy is in somebody else's hands: the family is revoked, its latest token included.
-- Only the jti is kept, never a token. Rows of expired families can be deleted at any time:
--   DELETE FROM refresh_token_families WHERE expires_at < now();

CREATE TABLE IF NOT EXISTS refresh_token_families (
    id           uuid PRIMARY KEY,                 -- the `fam` claim, chosen by the API
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    current_jti  text NOT NULL,                    -- the one refresh token that may be used next
    created_at   timestamptz NOT NULL DEFAULT now(),
    rotated_at   timestamptz,
    expires_at   timestamptz NOT NULL,             -- the current refresh token's `exp`
    revoked_at   timestamptz                       -- set when reuse was detected
);

CREATE INDEX IF NOT EXISTS refresh_token_families_expires_idx ON refresh_token_families (expires_at);
