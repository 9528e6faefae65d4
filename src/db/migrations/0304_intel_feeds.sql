-- Feeds: external TAXII 2.1 collections an org subscribes to; polled with
-- added_after from the last page's X-TAXII-Date-Added-Last.
CREATE TABLE intel_feeds (
  org_id           uuid NOT NULL REFERENCES orgs(id),
  id               uuid NOT NULL,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('taxii')),
  url              text NOT NULL,
  username         text,
  secret_sealed    text,
  tlp              text NOT NULL CHECK (tlp IN ('clear','green','amber','amber+strict','red')),
  interval_seconds integer NOT NULL CHECK (interval_seconds >= 60),
  enabled          boolean NOT NULL DEFAULT true,
  cursor           text,
  next_run_at      timestamptz NOT NULL,
  last_run_at      timestamptz,
  last_status      text,
  last_error       text,
  last_count       integer,
  total_count      integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
ALTER TABLE intel_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE intel_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY intel_feeds_tenant ON intel_feeds USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON intel_feeds TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON intel_feeds TO muhafiz_system;
