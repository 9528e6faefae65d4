-- Files the reporting entity attaches to an incident report. The bytes are in
-- the content-addressed store; each row copies the upload's sha256, size,
-- sniffed type and name (the entity's `files` table stays private to it), so
-- the CERT serving the entity can list and download what was submitted.
-- A submitted stage lists its attachments by id and sha256 in its immutable
-- snapshot; removing an attachment from the working copy only marks it
-- removed, so every submitted stage keeps what it referenced.

CREATE TABLE incident_attachments (
  org_id      uuid NOT NULL,
  incident_id uuid NOT NULL,
  id          uuid NOT NULL,
  file_id     uuid NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CHECK (size > 0),
  media_type  text NOT NULL,
  filename    text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  uploaded_by uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL,
  removed_at  timestamptz,
  PRIMARY KEY (org_id, incident_id, id),
  FOREIGN KEY (org_id, incident_id) REFERENCES incidents (org_id, id),
  FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id)
);
CREATE INDEX incident_attachments_sha256 ON incident_attachments (org_id, incident_id, sha256);
ALTER TABLE incident_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_attachments FORCE ROW LEVEL SECURITY;
-- Visible exactly when the incident is (the entity; its CERT once something was submitted).
CREATE POLICY incident_attachments_read ON incident_attachments FOR SELECT USING (
  EXISTS (SELECT 1 FROM incidents i WHERE i.org_id = incident_attachments.org_id AND i.id = incident_attachments.incident_id));
CREATE POLICY incident_attachments_insert ON incident_attachments FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY incident_attachments_update ON incident_attachments FOR UPDATE USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE (removed_at) ON incident_attachments TO muhafiz_app;
GRANT SELECT ON incident_attachments TO muhafiz_system;
