-- Advisories carry indicators as STIX objects: existing indicators the CERT
-- attaches (by STIX id; each reader sees those its sharing lets it see), and
-- whether publishing turns the advisory's observables into CERT-owned STIX
-- indicators under the advisory's TLP and recipients.
ALTER TABLE advisories ADD COLUMN stix_refs text[] NOT NULL DEFAULT '{}';
ALTER TABLE advisories ADD COLUMN stix_from_observables boolean NOT NULL DEFAULT false;
