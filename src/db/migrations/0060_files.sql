-- Uploaded files, one row per upload per org. The bytes live once in the
-- content-addressed store (core/files.ts) under their sha256; this table says
-- which org uploaded what, under which (sanitised) name, and what the content
-- turned out to be (sniffed media type, never the client's Content-Type).
-- Domains (evidence, document versions, incident attachments) point at a row
-- here and decide who may download it.

CREATE TABLE files (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  id          uuid NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CHECK (size > 0),
  media_type  text NOT NULL CHECK (length(media_type) BETWEEN 3 AND 200),
  filename    text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
  uploaded_by uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX files_sha256 ON files (org_id, sha256);
CREATE INDEX files_created ON files (org_id, created_at DESC);
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files FORCE ROW LEVEL SECURITY;
CREATE POLICY files_tenant ON files USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
-- An upload record is never changed or deleted by the app.
GRANT SELECT, INSERT ON files TO muhafiz_app;
GRANT SELECT, INSERT ON files TO muhafiz_system;
