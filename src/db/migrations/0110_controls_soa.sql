-- Applied controls (the org's own measures) mapped to requirements of any
-- catalog framework, evidence (a stored file or a link) with validity and
-- owner review, recurring control checks, and the Statement of Applicability
-- (one decision per requirement, approved versions kept as snapshots).
-- Requirements are named by (framework_key, ref), e.g. ('iso27001-2022',
-- 'A.8.7') or ('nist-csf-2.0', 'DE.CM-01'); the service validates them through
-- the catalogs service.

CREATE TABLE applied_controls (
  org_id        uuid NOT NULL REFERENCES orgs(id),
  id            uuid NOT NULL,
  ref           text NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  description   text NOT NULL DEFAULT '',
  owner_id      uuid REFERENCES users(id),
  status        text NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started','partial','implemented')),
  -- Recurring checks: none, or how often the owner checks the control works.
  frequency     text CHECK (frequency IN ('weekly','monthly','quarterly','semiannual','annual')),
  next_check_on date,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (org_id, id),
  CHECK ((frequency IS NULL) = (next_check_on IS NULL))
);
CREATE UNIQUE INDEX applied_controls_ref ON applied_controls (org_id, ref);
CREATE INDEX applied_controls_owner ON applied_controls (org_id, owner_id);
CREATE INDEX applied_controls_next_check ON applied_controls (org_id, next_check_on) WHERE frequency IS NOT NULL;
ALTER TABLE applied_controls ENABLE ROW LEVEL SECURITY;
ALTER TABLE applied_controls FORCE ROW LEVEL SECURITY;
CREATE POLICY applied_controls_tenant ON applied_controls USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON applied_controls TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON applied_controls TO muhafiz_system;

-- Which requirements an applied control satisfies (any framework).
CREATE TABLE applied_control_requirements (
  org_id        uuid NOT NULL,
  control_id    uuid NOT NULL,
  framework_key text NOT NULL,
  ref           text NOT NULL,
  PRIMARY KEY (org_id, control_id, framework_key, ref),
  FOREIGN KEY (org_id, control_id) REFERENCES applied_controls (org_id, id) ON DELETE CASCADE
);
CREATE INDEX applied_control_requirements_req ON applied_control_requirements (org_id, framework_key, ref);
ALTER TABLE applied_control_requirements ENABLE ROW LEVEL SECURITY;
ALTER TABLE applied_control_requirements FORCE ROW LEVEL SECURITY;
CREATE POLICY applied_control_requirements_tenant ON applied_control_requirements USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON applied_control_requirements TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON applied_control_requirements TO muhafiz_system;

-- Evidence: an uploaded file (a row of `files`, its bytes content-addressed in
-- the file store; sha256, name, type and size copied here for listing)
-- or a link. Valid from/until; reviewed by the owner of a linked control.
CREATE TABLE evidence (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  ref             text NOT NULL,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description     text NOT NULL DEFAULT '',
  kind            text NOT NULL CHECK (kind IN ('file','link')),
  file_id         uuid,
  file_sha256     text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  file_name       text,
  media_type      text,
  size_bytes      bigint,
  url             text,
  valid_from      date NOT NULL,
  valid_until     date,
  review_outcome  text CHECK (review_outcome IN ('accepted','rejected')),
  review_note     text NOT NULL DEFAULT '',
  reviewed_by     uuid REFERENCES users(id),
  reviewed_at     timestamptz,
  created_by      uuid REFERENCES users(id),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id),
  CHECK ((kind = 'file') = (file_id IS NOT NULL AND file_sha256 IS NOT NULL)),
  CHECK ((kind = 'link') = (url IS NOT NULL)),
  CHECK (valid_until IS NULL OR valid_until >= valid_from),
  CHECK ((review_outcome IS NULL) = (reviewed_at IS NULL))
);
CREATE UNIQUE INDEX evidence_ref ON evidence (org_id, ref);
CREATE INDEX evidence_valid_until ON evidence (org_id, valid_until);
CREATE INDEX evidence_sha ON evidence (org_id, file_sha256) WHERE file_sha256 IS NOT NULL;
ALTER TABLE evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence FORCE ROW LEVEL SECURITY;
CREATE POLICY evidence_tenant ON evidence USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON evidence TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON evidence TO muhafiz_system;

CREATE TABLE evidence_controls (
  org_id      uuid NOT NULL,
  evidence_id uuid NOT NULL,
  control_id  uuid NOT NULL,
  PRIMARY KEY (org_id, evidence_id, control_id),
  FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, control_id) REFERENCES applied_controls (org_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_controls_control ON evidence_controls (org_id, control_id);
ALTER TABLE evidence_controls ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence_controls FORCE ROW LEVEL SECURITY;
CREATE POLICY evidence_controls_tenant ON evidence_controls USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON evidence_controls TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON evidence_controls TO muhafiz_system;

-- Recurring checks: one row per due date (created by the daily job from
-- applied_controls.next_check_on), completed with a result.
CREATE TABLE control_checks (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL,
  control_id   uuid NOT NULL,
  due_on       date NOT NULL,
  result       text CHECK (result IN ('pass','fail','partial')),
  note         text NOT NULL DEFAULT '',
  evidence_id  uuid,
  performed_by uuid REFERENCES users(id),
  performed_at timestamptz,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, control_id) REFERENCES applied_controls (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, evidence_id) REFERENCES evidence (org_id, id) ON DELETE SET NULL (evidence_id),
  CHECK ((result IS NULL) = (performed_at IS NULL))
);
CREATE UNIQUE INDEX control_checks_due ON control_checks (org_id, control_id, due_on);
CREATE INDEX control_checks_open ON control_checks (org_id, due_on) WHERE result IS NULL;
ALTER TABLE control_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY control_checks_tenant ON control_checks USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON control_checks TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON control_checks TO muhafiz_system;

-- Reminders already sent (evidence expiry, checks due/overdue): once per
-- (kind, item, date); a moved date reminds again.
CREATE TABLE control_reminders (
  org_id    uuid NOT NULL,
  kind      text NOT NULL,
  entity_id uuid NOT NULL,
  due_on    date NOT NULL,
  sent_at   timestamptz NOT NULL,
  PRIMARY KEY (org_id, kind, entity_id, due_on)
);
ALTER TABLE control_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY control_reminders_tenant ON control_reminders USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON control_reminders TO muhafiz_system;

-- The SoA decision per requirement. A requirement without a row is
-- undecided. status_override NULL: status derived from the applied controls.
CREATE TABLE soa_entries (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  framework_key   text NOT NULL,
  ref             text NOT NULL,
  applicable      boolean NOT NULL,
  justification   text NOT NULL CHECK (length(btrim(justification)) BETWEEN 1 AND 4000),
  status_override text CHECK (status_override IN ('not_started','partial','implemented')),
  owner_id        uuid REFERENCES users(id),
  updated_by      uuid REFERENCES users(id),
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (org_id, framework_key, ref)
);
ALTER TABLE soa_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE soa_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY soa_entries_tenant ON soa_entries USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON soa_entries TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON soa_entries TO muhafiz_system;

-- Approved versions: immutable snapshots (the request role may only insert
-- and read them).
CREATE TABLE soa_versions (
  org_id        uuid NOT NULL REFERENCES orgs(id),
  framework_key text NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  approved_by   uuid NOT NULL REFERENCES users(id),
  approved_at   timestamptz NOT NULL,
  note          text NOT NULL DEFAULT '',
  digest        text NOT NULL,
  rows          jsonb NOT NULL,
  PRIMARY KEY (org_id, framework_key, version)
);
ALTER TABLE soa_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE soa_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY soa_versions_tenant ON soa_versions USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON soa_versions TO muhafiz_app;
GRANT SELECT, INSERT ON soa_versions TO muhafiz_system;
