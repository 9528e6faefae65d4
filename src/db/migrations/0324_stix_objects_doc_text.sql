-- TAXII pages send each object as stored JSON text, spliced into the
-- envelope. Converting 1,000 jsonb documents to text on every page read was
-- a fifth of the page's database time; this column holds that text once,
-- computed by PostgreSQL itself from `doc` when a row is written (and, as a
-- stored generated column, filled for every existing row by this ALTER).
-- Being `doc::text`, it is exactly what the page sent before: an exported
-- object still deep-equals the imported one. Nothing writes it directly.
ALTER TABLE stix_objects ADD COLUMN doc_text text GENERATED ALWAYS AS (doc::text) STORED;
