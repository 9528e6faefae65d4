-- Policies and documents: versioned markdown, an approval workflow with
-- sign-off by someone other than the author, review cycles, and
-- acknowledgement campaigns for staff. Uploaded files wait for core/files.

CREATE TABLE documents (
  org_id              uuid NOT NULL REFERENCES orgs(id),
  id                  uuid NOT NULL,
  title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  kind                text NOT NULL CHECK (kind IN ('policy','standard','procedure','guideline','plan','record','other')),
  classification      text NOT NULL CHECK (classification IN ('public','internal','confidential','restricted')),
  owner_id            uuid NOT NULL REFERENCES users(id),
  review_cycle_months smallint NOT NULL CHECK (review_cycle_months BETWEEN 1 AND 60),
  next_review_on      date,
  published_version   integer,
  retired_at          timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE INDEX documents_title ON documents (org_id, lower(title));
CREATE INDEX documents_review ON documents (org_id, next_review_on) WHERE retired_at IS NULL;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_tenant ON documents USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON documents TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON documents TO muhafiz_system;

CREATE TABLE document_versions (
  org_id        uuid NOT NULL,
  document_id   uuid NOT NULL,
  version       integer NOT NULL CHECK (version > 0),
  content_md    text NOT NULL,
  change_note   text NOT NULL DEFAULT '',
  status        text NOT NULL CHECK (status IN ('draft','in_review','approved','published','retired')),
  author_id     uuid NOT NULL REFERENCES users(id),
  created_at    timestamptz NOT NULL,
  submitted_at  timestamptz,
  approved_by   uuid REFERENCES users(id),
  approved_at   timestamptz,
  decision_note text NOT NULL DEFAULT '',
  published_at  timestamptz,
  published_by  uuid REFERENCES users(id),
  retired_at    timestamptz,
  PRIMARY KEY (org_id, document_id, version),
  FOREIGN KEY (org_id, document_id) REFERENCES documents (org_id, id),
  -- The approver signs off someone else's text.
  CHECK (approved_by IS NULL OR approved_by <> author_id)
);
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY document_versions_tenant ON document_versions USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON document_versions TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON document_versions TO muhafiz_system;

-- Who read and accepted which version.
CREATE TABLE document_acks (
  org_id          uuid NOT NULL,
  document_id     uuid NOT NULL,
  version         integer NOT NULL,
  user_id         uuid NOT NULL REFERENCES users(id),
  acknowledged_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, document_id, version, user_id),
  FOREIGN KEY (org_id, document_id, version) REFERENCES document_versions (org_id, document_id, version)
);
CREATE INDEX document_acks_user ON document_acks (org_id, user_id);
ALTER TABLE document_acks ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_acks FORCE ROW LEVEL SECURITY;
CREATE POLICY document_acks_tenant ON document_acks USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON document_acks TO muhafiz_app;
GRANT SELECT, INSERT ON document_acks TO muhafiz_system;

-- A campaign asks a fixed set of people (snapshotted at launch) to acknowledge one version by a date.
CREATE TABLE document_campaigns (
  org_id      uuid NOT NULL,
  id          uuid NOT NULL,
  document_id uuid NOT NULL,
  version     integer NOT NULL,
  due_on      date NOT NULL,
  audience    text[] NOT NULL DEFAULT '{}',
  created_by  uuid NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL,
  closed_at   timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, document_id, version) REFERENCES document_versions (org_id, document_id, version)
);
CREATE INDEX document_campaigns_doc ON document_campaigns (org_id, document_id, created_at DESC);
CREATE INDEX document_campaigns_due ON document_campaigns (org_id, due_on) WHERE closed_at IS NULL;
ALTER TABLE document_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY document_campaigns_tenant ON document_campaigns USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON document_campaigns TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON document_campaigns TO muhafiz_system;

CREATE TABLE document_campaign_targets (
  org_id           uuid NOT NULL,
  campaign_id      uuid NOT NULL,
  user_id          uuid NOT NULL REFERENCES users(id),
  last_reminded_at timestamptz,
  PRIMARY KEY (org_id, campaign_id, user_id),
  FOREIGN KEY (org_id, campaign_id) REFERENCES document_campaigns (org_id, id)
);
CREATE INDEX document_campaign_targets_user ON document_campaign_targets (org_id, user_id);
ALTER TABLE document_campaign_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_campaign_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY document_campaign_targets_tenant ON document_campaign_targets USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE (last_reminded_at) ON document_campaign_targets TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON document_campaign_targets TO muhafiz_system;

-- Reminders already sent by the daily scan (one per item, person, kind and due date).
CREATE TABLE document_reminders (
  org_id    uuid NOT NULL,
  kind      text NOT NULL,
  entity_id uuid NOT NULL,
  user_id   uuid NOT NULL,
  due_on    date NOT NULL,
  sent_at   timestamptz NOT NULL,
  PRIMARY KEY (org_id, kind, entity_id, user_id, due_on)
);
ALTER TABLE document_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY document_reminders_tenant ON document_reminders USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON document_reminders TO muhafiz_system;
