-- The reporting org may allow the CERT to re-share an object anonymised
-- (source stripped) with the community.
ALTER TABLE stix_objects ADD COLUMN allow_anonymised_reshare boolean NOT NULL DEFAULT false;
GRANT UPDATE (allow_anonymised_reshare) ON stix_objects TO muhafiz_app;
