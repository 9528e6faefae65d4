-- Assets: the org's inventory and the dependencies between its assets.
-- Ratings (confidentiality, integrity, availability, criticality) are 1..5:
-- 1 very low, 2 low, 3 medium, 4 high, 5 very high (docs/isms-assets-risks.md).

CREATE TABLE assets (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  type            text NOT NULL CHECK (type IN ('information','software','hardware','service','people','site','supplier')),
  description     text NOT NULL DEFAULT '',
  owner_id        uuid REFERENCES users(id),
  custodian_id    uuid REFERENCES users(id),
  location        text NOT NULL DEFAULT '',
  confidentiality smallint NOT NULL CHECK (confidentiality BETWEEN 1 AND 5),
  integrity       smallint NOT NULL CHECK (integrity BETWEEN 1 AND 5),
  availability    smallint NOT NULL CHECK (availability BETWEEN 1 AND 5),
  criticality     smallint NOT NULL CHECK (criticality BETWEEN 1 AND 5),
  acquired_on     date,
  review_due_on   date,
  retired_on      date,
  tags            text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
-- Names are the import key (re-importing an export updates in place).
CREATE UNIQUE INDEX assets_name ON assets (org_id, lower(name));
CREATE INDEX assets_type ON assets (org_id, type);
CREATE INDEX assets_owner ON assets (org_id, owner_id);
CREATE INDEX assets_criticality ON assets (org_id, criticality);
CREATE INDEX assets_review_due ON assets (org_id, review_due_on) WHERE retired_on IS NULL;
ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
CREATE POLICY assets_tenant ON assets USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON assets TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON assets TO muhafiz_system;

-- asset_id depends on depends_on_id (a service runs on a server, a server sits in a site).
-- Cycles are allowed (real estates have them) and flagged by the graph API.
CREATE TABLE asset_dependencies (
  org_id        uuid NOT NULL,
  asset_id      uuid NOT NULL,
  depends_on_id uuid NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, asset_id, depends_on_id),
  FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, depends_on_id) REFERENCES assets (org_id, id) ON DELETE CASCADE,
  CHECK (asset_id <> depends_on_id)
);
CREATE INDEX asset_dependencies_reverse ON asset_dependencies (org_id, depends_on_id);
ALTER TABLE asset_dependencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE asset_dependencies FORCE ROW LEVEL SECURITY;
CREATE POLICY asset_dependencies_tenant ON asset_dependencies USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON asset_dependencies TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON asset_dependencies TO muhafiz_system;
