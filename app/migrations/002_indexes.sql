-- Indexes, apart from the tables so that the bulk seeder can load first and index after.
CREATE INDEX IF NOT EXISTS problems_domain_created_idx ON problems (domain, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS problems_created_idx ON problems (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS problems_agent_idx ON problems (agent_id);
-- Geo search: a sorted-build GiST point index; app/geo.py explains why not cube.
CREATE INDEX IF NOT EXISTS missions_location_idx ON missions USING gist (point(longitude, latitude));
CREATE INDEX IF NOT EXISTS evidence_mission_idx ON evidence (mission_id);
