-- Indexes, apart from the tables so that the bulk seeder can load first and index after.
CREATE INDEX IF NOT EXISTS problems_domain_created_idx ON problems (domain, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS problems_created_idx ON problems (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS problems_agent_idx ON problems (agent_id);
-- KNN geo search: cube's `<->` (chord distance) orders exactly like great-circle distance.
CREATE INDEX IF NOT EXISTS missions_earth_idx ON missions USING gist (ll_to_earth(latitude, longitude));
CREATE INDEX IF NOT EXISTS evidence_mission_idx ON evidence (mission_id);
