-- TAXII 2.1: status resources of object submissions (POST answers 202 with one).
CREATE TABLE taxii_status (
  org_id            uuid NOT NULL REFERENCES orgs(id),
  id                uuid NOT NULL,
  collection_id     uuid NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending','complete')),
  request_timestamp timestamptz NOT NULL,
  total_count       integer NOT NULL,
  success_count     integer NOT NULL DEFAULT 0,
  failure_count     integer NOT NULL DEFAULT 0,
  pending_count     integer NOT NULL DEFAULT 0,
  successes         jsonb NOT NULL DEFAULT '[]'::jsonb,
  failures          jsonb NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (org_id, id)
);
ALTER TABLE taxii_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE taxii_status FORCE ROW LEVEL SECURITY;
CREATE POLICY taxii_status_tenant ON taxii_status USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON taxii_status TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON taxii_status TO muhafiz_system;
