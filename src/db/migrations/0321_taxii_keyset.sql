-- TAXII pages (GET .../objects/, manifest, versions) walk stix_objects in
-- the order of the keyset cursor (date added, id, version) and keep or skip
-- each row by looking up the other holders and versions of the same STIX id
-- (see queryObjects). Collections span every org the reader may see, so
-- these two indexes lead with the cursor and the STIX id, not org_id, like
-- the cross-tenant correlation indexes of 0301.
CREATE INDEX stix_objects_taxii_page ON stix_objects (added_at, stix_id, version);
CREATE INDEX stix_objects_stix_id ON stix_objects (stix_id, version);
