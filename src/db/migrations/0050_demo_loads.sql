-- Which parts of the demo sector have been loaded (`muhafiz demo`, `serve --demo`):
-- 'sector' for the base orgs and users, 'ext:<name>' for each domain's demo data.
-- Loading again skips what is recorded here; parts added by a later release still load.
-- Platform bookkeeping, not tenant data: no org_id, readable only by the system role.
CREATE TABLE demo_loads (
  name      text PRIMARY KEY,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON demo_loads TO muhafiz_system;
