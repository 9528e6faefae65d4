-- MISP feeds become scheduled feed sources beside the TAXII collections: the
-- same table, schedule, cursor (for MISP: the newest event timestamp pulled)
-- and run record, polled by the same job.
ALTER TABLE intel_feeds DROP CONSTRAINT intel_feeds_kind_check;
ALTER TABLE intel_feeds ADD CONSTRAINT intel_feeds_kind_check CHECK (kind IN ('taxii', 'misp'));
-- How many objects the last run fetched (before the idempotent import dropped the unchanged ones).
ALTER TABLE intel_feeds ADD COLUMN last_fetched integer;
