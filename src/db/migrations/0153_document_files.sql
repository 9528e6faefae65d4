-- A document version may be an uploaded file (PDF, DOCX, ...) instead of
-- markdown: the version points at the org's upload record (core files table);
-- its content_md is then empty. The same approval workflow applies.

ALTER TABLE document_versions ADD COLUMN file_id uuid;
ALTER TABLE document_versions ADD CONSTRAINT document_versions_file
  FOREIGN KEY (org_id, file_id) REFERENCES files (org_id, id);
ALTER TABLE document_versions ADD CONSTRAINT document_versions_file_or_text
  CHECK (file_id IS NULL OR content_md = '');
CREATE INDEX document_versions_file ON document_versions (org_id, file_id) WHERE file_id IS NOT NULL;
