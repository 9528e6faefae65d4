-- Corrective actions: an org's own, private to it (ISMS). A source names
-- what raised the action (an incident's lessons learned, later an audit
-- finding or a management review).
CREATE TABLE corrective_actions (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  id          uuid NOT NULL,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  source_type text NOT NULL CHECK (source_type IN ('incident','audit_finding','management_review','risk','other')),
  source_id   uuid,
  owner_id    uuid REFERENCES users(id),
  due_date    date,
  status      text NOT NULL CHECK (status IN ('open','in_progress','done','cancelled')),
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  closed_at   timestamptz,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX corrective_actions_source ON corrective_actions (org_id, source_type, source_id);
CREATE INDEX corrective_actions_status ON corrective_actions (org_id, status, due_date);
ALTER TABLE corrective_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE corrective_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY corrective_actions_tenant ON corrective_actions USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON corrective_actions TO muhafiz_app;
GRANT SELECT ON corrective_actions TO muhafiz_system;
