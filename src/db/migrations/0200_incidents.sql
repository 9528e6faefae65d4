-- CERT incident reporting: regimes, incidents, stages, observables, asset
-- links, thread, CERT-side handling (state history, tasks, notes, journal,
-- cases) and deadline notices.
--
-- Tenancy: an incident belongs to the REPORTING entity (org_id). The CERT
-- that serves the entity reads and handles it through policies naming the
-- 'serves' relation. Everything that is the CERT's own (notes, tasks,
-- journal, cases) lives in the CERT's partition, so an entity can never read
-- it, whatever the query.

-- Reporting regimes: owned by the CERT (or regulator) that sets them. ------
CREATE TABLE reporting_regimes (
  org_id     uuid NOT NULL REFERENCES orgs(id),
  id         uuid NOT NULL,
  key        text NOT NULL,
  definition jsonb NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX reporting_regimes_key ON reporting_regimes (org_id, key);
CREATE UNIQUE INDEX reporting_regimes_default ON reporting_regimes (org_id) WHERE is_default;
ALTER TABLE reporting_regimes ENABLE ROW LEVEL SECURITY;
ALTER TABLE reporting_regimes FORCE ROW LEVEL SECURITY;
CREATE POLICY reporting_regimes_tenant ON reporting_regimes USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
-- Constituents read the regimes of the CERTs that serve them.
CREATE POLICY reporting_regimes_constituent ON reporting_regimes FOR SELECT USING (
  org_id IN (SELECT r.org_id FROM org_relations r WHERE r.related_org_id = app_org_id() AND r.kind = 'serves'));
GRANT SELECT, INSERT, UPDATE ON reporting_regimes TO muhafiz_app;
GRANT SELECT ON reporting_regimes TO muhafiz_system;

-- Incidents ------------------------------------------------------------------
CREATE TABLE incidents (
  org_id            uuid NOT NULL REFERENCES orgs(id),
  id                uuid NOT NULL,
  ref               text NOT NULL,
  cert_org_id       uuid NOT NULL REFERENCES orgs(id),
  regime_org_id     uuid NOT NULL,
  regime_id         uuid NOT NULL,
  title             text NOT NULL,
  -- The entity's working copy of the report (autosaved); stages snapshot it.
  draft             jsonb NOT NULL,
  draft_updated_at  timestamptz NOT NULL,
  -- Denormalised from the latest submitted stage, for the queue and stats.
  rsit_class        text,
  rsit_type         text,
  severity          text CHECK (severity IN ('low','medium','high','critical')),
  detected_at       timestamptz,
  started_at        timestamptz,
  classified_at     timestamptz,
  is_major          boolean NOT NULL DEFAULT false,
  is_reportable     boolean NOT NULL DEFAULT false,
  first_reported_at timestamptz,
  last_stage        text CHECK (last_stage IN ('initial','intermediate','final')),
  stage_first_at    jsonb NOT NULL DEFAULT '{}'::jsonb,
  next_due_at       timestamptz,
  next_due_stage    text,
  -- CERT handling (NIST SP 800-61 lifecycle).
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','new','triage','analysis','containment','eradication','recovery','post_incident','closed','rejected')),
  state_entered     jsonb NOT NULL DEFAULT '{}'::jsonb,
  assignee_id       uuid REFERENCES users(id),
  lessons_learned   text,
  created_by        uuid REFERENCES users(id),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX incidents_ref ON incidents (org_id, ref);
CREATE INDEX incidents_org_created ON incidents (org_id, created_at DESC);
-- The CERT's queue: by constituent, status and next deadline.
CREATE INDEX incidents_cert_queue ON incidents (cert_org_id, status, next_due_at) WHERE status <> 'draft';
CREATE INDEX incidents_cert_due ON incidents (cert_org_id, next_due_at) WHERE next_due_at IS NOT NULL;
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY incidents_tenant ON incidents USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
-- The CERT serving the entity reads and handles submitted incidents (never drafts).
CREATE POLICY incidents_cert_read ON incidents FOR SELECT USING (
  cert_org_id = app_org_id() AND status <> 'draft'
  AND org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = app_org_id() AND r.kind = 'serves'));
CREATE POLICY incidents_cert_update ON incidents FOR UPDATE USING (
  cert_org_id = app_org_id() AND status <> 'draft'
  AND org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = app_org_id() AND r.kind = 'serves'))
  WITH CHECK (cert_org_id = app_org_id() AND status <> 'draft');
GRANT SELECT, INSERT, UPDATE ON incidents TO muhafiz_app;
GRANT SELECT, UPDATE (next_due_at, next_due_stage) ON incidents TO muhafiz_system;

-- Rows that belong to an incident are visible exactly when the incident is:
-- the subquery runs under the incidents policies above.

-- Submitted stages: immutable snapshots (no UPDATE or DELETE grant at all).
CREATE TABLE incident_stages (
  org_id       uuid NOT NULL,
  incident_id  uuid NOT NULL,
  seq          integer NOT NULL,
  id           uuid NOT NULL,
  stage        text NOT NULL CHECK (stage IN ('initial','intermediate','final')),
  snapshot     jsonb NOT NULL,
  sha256       text NOT NULL,
  submitted_at timestamptz NOT NULL,
  submitted_by uuid REFERENCES users(id),
  PRIMARY KEY (org_id, incident_id, seq),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents(org_id, id)
);
ALTER TABLE incident_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_stages_read ON incident_stages FOR SELECT USING (
  EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_stages.org_id AND i.id = incident_stages.incident_id));
CREATE POLICY incident_stages_insert ON incident_stages FOR INSERT WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON incident_stages TO muhafiz_app;
GRANT SELECT ON incident_stages TO muhafiz_system;

-- Observables of the latest submitted stage, for exact-match correlation.
CREATE TABLE incident_observables (
  org_id      uuid NOT NULL,
  incident_id uuid NOT NULL,
  type        text NOT NULL CHECK (type IN ('ipv4','ipv6','domain','url','md5','sha1','sha256','email','filename')),
  value       text NOT NULL,
  tlp         text NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (org_id, incident_id, type, value),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents(org_id, id)
);
CREATE INDEX incident_observables_value ON incident_observables (org_id, type, value);
ALTER TABLE incident_observables ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_observables FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_observables_read ON incident_observables FOR SELECT USING (
  EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_observables.org_id AND i.id = incident_observables.incident_id));
CREATE POLICY incident_observables_write ON incident_observables FOR ALL USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON incident_observables TO muhafiz_app;

-- ISMS assets hit (ids in the entity's asset inventory); never shown to the CERT.
CREATE TABLE incident_assets (
  org_id      uuid NOT NULL,
  incident_id uuid NOT NULL,
  asset_id    uuid NOT NULL,
  PRIMARY KEY (org_id, incident_id, asset_id),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents(org_id, id)
);
ALTER TABLE incident_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_assets_tenant ON incident_assets USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON incident_assets TO muhafiz_app;

-- Lifecycle history: written by the CERT (and by the entity's first submission).
CREATE TABLE incident_state_changes (
  org_id      uuid NOT NULL,
  incident_id uuid NOT NULL,
  id          uuid NOT NULL,
  from_status text,
  to_status   text NOT NULL,
  at          timestamptz NOT NULL,
  by_user_id  uuid REFERENCES users(id),
  by_org_id   uuid NOT NULL,
  reason      text NOT NULL DEFAULT '',
  PRIMARY KEY (org_id, incident_id, id),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents(org_id, id)
);
ALTER TABLE incident_state_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_state_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_state_changes_visible ON incident_state_changes USING (
  EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_state_changes.org_id AND i.id = incident_state_changes.incident_id))
  WITH CHECK (by_org_id = app_org_id() AND EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_state_changes.org_id AND i.id = incident_state_changes.incident_id));
GRANT SELECT, INSERT ON incident_state_changes TO muhafiz_app;

-- The two-way thread between the entity and the CERT, each message TLP-marked.
CREATE TABLE incident_messages (
  org_id         uuid NOT NULL,
  incident_id    uuid NOT NULL,
  id             uuid NOT NULL,
  author_org_id  uuid NOT NULL REFERENCES orgs(id),
  author_user_id uuid REFERENCES users(id),
  tlp            text NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  body           text NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (org_id, incident_id, id),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents(org_id, id)
);
ALTER TABLE incident_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_messages_visible ON incident_messages USING (
  EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_messages.org_id AND i.id = incident_messages.incident_id))
  WITH CHECK (author_org_id = app_org_id() AND EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_messages.org_id AND i.id = incident_messages.incident_id));
GRANT SELECT, INSERT ON incident_messages TO muhafiz_app;

-- Reminders/escalations already sent, so the job never repeats one.
CREATE TABLE incident_deadline_notices (
  org_id      uuid NOT NULL,
  incident_id uuid NOT NULL,
  stage       text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('reminder','escalation')),
  due_at      timestamptz NOT NULL,
  sent_at     timestamptz NOT NULL,
  PRIMARY KEY (org_id, incident_id, stage, kind, due_at)
);
ALTER TABLE incident_deadline_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_deadline_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_deadline_notices_tenant ON incident_deadline_notices USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT ON incident_deadline_notices TO muhafiz_app;
GRANT SELECT, INSERT ON incident_deadline_notices TO muhafiz_system;

-- CERT-side handling, in the CERT's own partition ---------------------------
CREATE TABLE incident_notes (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  incident_org_id uuid NOT NULL,
  incident_id     uuid NOT NULL,
  author_user_id  uuid REFERENCES users(id),
  body            text NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX incident_notes_incident ON incident_notes (org_id, incident_org_id, incident_id, created_at);
ALTER TABLE incident_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_notes_tenant ON incident_notes USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON incident_notes TO muhafiz_app;

CREATE TABLE incident_tasks (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  incident_org_id uuid NOT NULL,
  incident_id     uuid NOT NULL,
  title           text NOT NULL,
  owner_id        uuid REFERENCES users(id),
  due_at          timestamptz,
  status          text NOT NULL CHECK (status IN ('open','in_progress','done','cancelled')),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX incident_tasks_incident ON incident_tasks (org_id, incident_org_id, incident_id);
CREATE INDEX incident_tasks_owner ON incident_tasks (org_id, owner_id, status);
ALTER TABLE incident_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_tasks_tenant ON incident_tasks USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON incident_tasks TO muhafiz_app;

CREATE TABLE incident_journal (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  incident_org_id uuid NOT NULL,
  incident_id     uuid NOT NULL,
  at              timestamptz NOT NULL,
  author_user_id  uuid REFERENCES users(id),
  kind            text NOT NULL,
  text            text NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX incident_journal_incident ON incident_journal (org_id, incident_org_id, incident_id, at);
ALTER TABLE incident_journal ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_journal FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_journal_tenant ON incident_journal USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON incident_journal TO muhafiz_app;

CREATE TABLE cert_cases (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  id          uuid NOT NULL,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  status      text NOT NULL CHECK (status IN ('open','closed')),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
ALTER TABLE cert_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cert_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cert_cases_tenant ON cert_cases USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON cert_cases TO muhafiz_app;

CREATE TABLE cert_case_incidents (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  case_id         uuid NOT NULL,
  incident_org_id uuid NOT NULL,
  incident_id     uuid NOT NULL,
  added_at        timestamptz NOT NULL,
  PRIMARY KEY (org_id, case_id, incident_org_id, incident_id),
  FOREIGN KEY (org_id, case_id) REFERENCES cert_cases(org_id, id)
);
ALTER TABLE cert_case_incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE cert_case_incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY cert_case_incidents_tenant ON cert_case_incidents USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON cert_case_incidents TO muhafiz_app;
