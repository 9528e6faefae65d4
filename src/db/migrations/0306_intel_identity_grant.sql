-- Claiming a STIX identity re-attributes the org's stored objects to it.
GRANT UPDATE (producer_org_id) ON stix_objects TO muhafiz_app;
