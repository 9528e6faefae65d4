-- Advisories: written and published by a CERT (its partition), delivered to
-- recipient orgs of its constituency, each of which acknowledges and reports
-- applicability and remediation in its own row.
CREATE TABLE advisories (
  org_id              uuid NOT NULL REFERENCES orgs(id),
  id                  uuid NOT NULL,
  ref                 text NOT NULL,
  title               text NOT NULL,
  tlp                 text NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  severity            text NOT NULL CHECK (severity IN ('low','medium','high','critical')),
  products            jsonb NOT NULL DEFAULT '[]'::jsonb,
  cve_ids             text[] NOT NULL DEFAULT '{}',
  description         text NOT NULL,
  recommended_actions text NOT NULL,
  indicators          jsonb NOT NULL DEFAULT '[]'::jsonb,
  valid_from          timestamptz,
  valid_until         timestamptz,
  audience            jsonb NOT NULL,
  status              text NOT NULL CHECK (status IN ('draft','published','withdrawn')),
  published_at        timestamptz,
  created_by          uuid REFERENCES users(id),
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX advisories_ref ON advisories (org_id, ref);
CREATE INDEX advisories_published ON advisories (org_id, status, published_at DESC);

CREATE TABLE advisory_recipients (
  org_id             uuid NOT NULL REFERENCES orgs(id),
  advisory_id        uuid NOT NULL,
  cert_org_id        uuid NOT NULL REFERENCES orgs(id),
  delivered_at       timestamptz NOT NULL,
  acknowledged_at    timestamptz,
  acknowledged_by    uuid REFERENCES users(id),
  applicability      text NOT NULL DEFAULT 'unknown' CHECK (applicability IN ('unknown','affected','not_affected')),
  remediation_status text NOT NULL DEFAULT 'not_started' CHECK (remediation_status IN ('not_started','in_progress','remediated','not_applicable')),
  remediation_date   date,
  note               text NOT NULL DEFAULT '',
  updated_at         timestamptz NOT NULL,
  last_reminded_at   timestamptz,
  reminders_sent     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, advisory_id),
  FOREIGN KEY (cert_org_id, advisory_id) REFERENCES advisories(org_id, id)
);
-- The CERT's per-advisory progress view reads across recipients.
CREATE INDEX advisory_recipients_cert ON advisory_recipients (cert_org_id, advisory_id);

ALTER TABLE advisory_recipients ENABLE ROW LEVEL SECURITY;
ALTER TABLE advisory_recipients FORCE ROW LEVEL SECURITY;
CREATE POLICY advisory_recipients_read ON advisory_recipients FOR SELECT USING (org_id = app_org_id() OR cert_org_id = app_org_id());
-- The CERT delivers only to orgs it serves.
CREATE POLICY advisory_recipients_deliver ON advisory_recipients FOR INSERT WITH CHECK (
  cert_org_id = app_org_id()
  AND org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = app_org_id() AND r.kind = 'serves'));
-- Only the recipient answers.
CREATE POLICY advisory_recipients_answer ON advisory_recipients FOR UPDATE USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON advisory_recipients TO muhafiz_app;
GRANT UPDATE (acknowledged_at, acknowledged_by, applicability, remediation_status, remediation_date, note, updated_at) ON advisory_recipients TO muhafiz_app;
GRANT SELECT, UPDATE (last_reminded_at, reminders_sent) ON advisory_recipients TO muhafiz_system;

ALTER TABLE advisories ENABLE ROW LEVEL SECURITY;
ALTER TABLE advisories FORCE ROW LEVEL SECURITY;
CREATE POLICY advisories_tenant ON advisories USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
-- A recipient reads a published advisory delivered to it.
CREATE POLICY advisories_recipient ON advisories FOR SELECT USING (
  status <> 'draft' AND EXISTS (SELECT 1 FROM advisory_recipients r WHERE r.org_id = app_org_id() AND r.advisory_id = advisories.id AND r.cert_org_id = advisories.org_id));
GRANT SELECT, INSERT, UPDATE ON advisories TO muhafiz_app;
GRANT SELECT ON advisories TO muhafiz_system;
