-- Intel: the STIX 2.1 store (every version of every object, lossless),
-- bundle imports, observables for correlation, matches, sightings and
-- warning lists. Visibility of every row is intel_can_see() (0300).

-- One row per (owning org, STIX id, version). `doc` is the object exactly as
-- received (jsonb); the other columns are extracted for filters and sharing.
CREATE TABLE stix_objects (
  org_id              uuid NOT NULL REFERENCES orgs(id),
  stix_id             text NOT NULL,
  -- the `modified` (else `created`, else '') string exactly as written: versions are compared by it
  version             text NOT NULL,
  type                text NOT NULL,
  spec_version        text,
  created             timestamptz,
  modified            timestamptz,
  created_by_ref      text,
  producer_org_id     uuid,
  revoked             boolean NOT NULL DEFAULT false,
  deprecated          boolean NOT NULL DEFAULT false,
  labels              text[] NOT NULL DEFAULT '{}',
  name                text,
  confidence          integer,
  pattern_type        text,
  tlp                 text CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  pap                 text,
  object_marking_refs text[] NOT NULL DEFAULT '{}',
  recipient_orgs      uuid[] NOT NULL DEFAULT '{}',
  recipient_users     uuid[] NOT NULL DEFAULT '{}',
  sharing_groups      uuid[] NOT NULL DEFAULT '{}',
  source              text NOT NULL DEFAULT 'api',
  import_id           uuid,
  is_latest           boolean NOT NULL,
  added_at            timestamptz NOT NULL,
  doc                 jsonb NOT NULL,
  PRIMARY KEY (org_id, stix_id, version)
);
CREATE INDEX stix_objects_latest ON stix_objects (org_id, type, is_latest);
CREATE INDEX stix_objects_added ON stix_objects (org_id, added_at);
CREATE INDEX stix_objects_name ON stix_objects (org_id, lower(name));
-- Relationship graph lookups (source_ref / target_ref of SROs).
CREATE INDEX stix_objects_rel_source ON stix_objects (org_id, (doc->>'source_ref')) WHERE type IN ('relationship', 'sighting');
CREATE INDEX stix_objects_rel_target ON stix_objects (org_id, (doc->>'target_ref')) WHERE type IN ('relationship', 'sighting');
ALTER TABLE stix_objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE stix_objects FORCE ROW LEVEL SECURITY;
CREATE POLICY stix_objects_read ON stix_objects FOR SELECT
  USING (intel_can_see(app_org_id(), app_user_id(), org_id, tlp, recipient_orgs, recipient_users, sharing_groups));
CREATE POLICY stix_objects_insert ON stix_objects FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY stix_objects_update ON stix_objects FOR UPDATE USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY stix_objects_delete ON stix_objects FOR DELETE USING (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON stix_objects TO muhafiz_app;
GRANT UPDATE (is_latest, tlp, recipient_orgs, recipient_users, sharing_groups) ON stix_objects TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON stix_objects TO muhafiz_system;

-- STIX identities that stand for platform orgs (created_by_ref -> org).
CREATE TABLE intel_identities (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  identity_id text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, identity_id)
);
CREATE UNIQUE INDEX intel_identities_identity ON intel_identities (identity_id);
ALTER TABLE intel_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_identities FORCE ROW LEVEL SECURITY;
-- The mapping is a public directory (which identity is which org).
CREATE POLICY intel_identities_read ON intel_identities FOR SELECT USING (true);
CREATE POLICY intel_identities_write ON intel_identities FOR INSERT WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON intel_identities TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON intel_identities TO muhafiz_system;

-- Bundle imports: progress and outcome of each (API, CLI, feeds).
CREATE TABLE intel_imports (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  id          uuid NOT NULL,
  source      text NOT NULL,
  status      text NOT NULL CHECK (status IN ('queued','running','done','failed')),
  options     jsonb NOT NULL DEFAULT '{}'::jsonb,
  bundle      text,
  total       integer NOT NULL DEFAULT 0,
  processed   integer NOT NULL DEFAULT 0,
  inserted    integer NOT NULL DEFAULT 0,
  unchanged   integer NOT NULL DEFAULT 0,
  errors      jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by  uuid,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz,
  PRIMARY KEY (org_id, id)
);
ALTER TABLE intel_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_imports_tenant ON intel_imports USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON intel_imports TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON intel_imports TO muhafiz_system;

-- Observables: normalised values from indicators' patterns, SCOs, incidents
-- and watchlists, with the sharing columns of what they came from.
CREATE TABLE intel_observables (
  org_id          uuid NOT NULL REFERENCES orgs(id),
  id              uuid NOT NULL,
  source_kind     text NOT NULL CHECK (source_kind IN ('stix','incident','watchlist')),
  source_ref      text NOT NULL,
  kind            text NOT NULL,
  value           text NOT NULL,
  ip              inet,
  tlp             text CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  recipient_orgs  uuid[] NOT NULL DEFAULT '{}',
  recipient_users uuid[] NOT NULL DEFAULT '{}',
  sharing_groups  uuid[] NOT NULL DEFAULT '{}',
  warning         text,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX intel_observables_source ON intel_observables (org_id, source_kind, source_ref, kind, value);
-- Correlation looks a value up across every org whose rows the viewer may
-- see: a cross-tenant lookup by design, so these two indexes lead with the
-- value, not org_id (on Citus this table would be a reference-partitioned lookup).
CREATE INDEX intel_observables_value ON intel_observables (kind, value);
CREATE INDEX intel_observables_ip ON intel_observables USING gist (ip inet_ops) WHERE ip IS NOT NULL;
ALTER TABLE intel_observables ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_observables FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_observables_read ON intel_observables FOR SELECT
  USING (intel_can_see(app_org_id(), app_user_id(), org_id, tlp, recipient_orgs, recipient_users, sharing_groups));
CREATE POLICY intel_observables_write ON intel_observables FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY intel_observables_update ON intel_observables FOR UPDATE USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY intel_observables_delete ON intel_observables FOR DELETE USING (org_id = app_org_id());
GRANT SELECT, INSERT, DELETE ON intel_observables TO muhafiz_app;
GRANT UPDATE (tlp, recipient_orgs, recipient_users, sharing_groups, warning) ON intel_observables TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON intel_observables TO muhafiz_system;

-- A match between two observables of different orgs (or an org's own
-- watchlist). Each side keeps its sharing columns: a viewer sees the match
-- only if it may see BOTH sides, so a match never reveals what it may not see.
CREATE TABLE intel_matches (
  org_id            uuid NOT NULL REFERENCES orgs(id),
  id                uuid NOT NULL,
  kind              text NOT NULL,
  value             text NOT NULL,
  warning           text,
  a_observable_id   uuid NOT NULL,
  a_source_kind     text NOT NULL,
  a_source_ref      text NOT NULL,
  a_tlp             text,
  a_recipient_orgs  uuid[] NOT NULL DEFAULT '{}',
  a_recipient_users uuid[] NOT NULL DEFAULT '{}',
  a_sharing_groups  uuid[] NOT NULL DEFAULT '{}',
  b_org_id          uuid NOT NULL REFERENCES orgs(id),
  b_observable_id   uuid NOT NULL,
  b_source_kind     text NOT NULL,
  b_source_ref      text NOT NULL,
  b_value           text NOT NULL,
  b_tlp             text,
  b_recipient_orgs  uuid[] NOT NULL DEFAULT '{}',
  b_recipient_users uuid[] NOT NULL DEFAULT '{}',
  b_sharing_groups  uuid[] NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX intel_matches_pair ON intel_matches (org_id, a_observable_id, b_org_id, b_observable_id);
CREATE INDEX intel_matches_b ON intel_matches (b_org_id, b_source_ref);
CREATE INDEX intel_matches_a_ref ON intel_matches (org_id, a_source_ref);
ALTER TABLE intel_matches ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_matches FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_matches_read ON intel_matches FOR SELECT USING (
  intel_can_see(app_org_id(), app_user_id(), org_id, a_tlp, a_recipient_orgs, a_recipient_users, a_sharing_groups)
  AND intel_can_see(app_org_id(), app_user_id(), b_org_id, b_tlp, b_recipient_orgs, b_recipient_users, b_sharing_groups));
CREATE POLICY intel_matches_write ON intel_matches FOR INSERT WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON intel_matches TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON intel_matches TO muhafiz_system;

-- Sightings: "seen" or "false positive" reported by an org on an indicator.
CREATE TABLE intel_sightings (
  org_id            uuid NOT NULL REFERENCES orgs(id),
  id                uuid NOT NULL,
  indicator_id      text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('seen','false_positive')),
  count             integer NOT NULL DEFAULT 1 CHECK (count > 0),
  first_seen        timestamptz NOT NULL,
  last_seen         timestamptz NOT NULL,
  note              text NOT NULL DEFAULT '',
  tlp               text CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  recipient_orgs    uuid[] NOT NULL DEFAULT '{}',
  recipient_users   uuid[] NOT NULL DEFAULT '{}',
  sharing_groups    uuid[] NOT NULL DEFAULT '{}',
  created_by        uuid,
  created_at        timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
-- Counts per indicator across every org the viewer may see (cross-tenant by design).
CREATE INDEX intel_sightings_indicator ON intel_sightings (indicator_id);
ALTER TABLE intel_sightings ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_sightings FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_sightings_read ON intel_sightings FOR SELECT
  USING (intel_can_see(app_org_id(), app_user_id(), org_id, tlp, recipient_orgs, recipient_users, sharing_groups));
CREATE POLICY intel_sightings_write ON intel_sightings FOR INSERT WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON intel_sightings TO muhafiz_app;
GRANT SELECT, INSERT ON intel_sightings TO muhafiz_system;

-- Warning lists: platform-wide data (shipped below, editable by platform
-- administrators) that flags likely false positives instead of alerting.
CREATE TABLE warning_lists (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('cidr','domain')),
  description text NOT NULL DEFAULT '',
  enabled     boolean NOT NULL DEFAULT true
);
CREATE TABLE warning_list_entries (
  list_id text NOT NULL REFERENCES warning_lists(id) ON DELETE CASCADE,
  value   text NOT NULL,
  PRIMARY KEY (list_id, value)
);
GRANT SELECT ON warning_lists, warning_list_entries TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON warning_lists, warning_list_entries TO muhafiz_system;

-- Organisations' alert channels for new matches (in-app and email use the
-- members; a webhook URL is optional).
CREATE TABLE intel_alert_settings (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  email       boolean NOT NULL DEFAULT true,
  webhook_url text,
  PRIMARY KEY (org_id)
);
ALTER TABLE intel_alert_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_alert_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_alert_settings_tenant ON intel_alert_settings USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON intel_alert_settings TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON intel_alert_settings TO muhafiz_system;
