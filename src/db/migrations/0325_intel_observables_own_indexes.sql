-- An org's own correlation observables (incident indicators of compromise,
-- watchlists) get value and address indexes of their own, apart from the
-- STIX store's. Correlating an incident's 10,000 values inserted each one
-- into a (kind, value) b-tree and a GiST address index of every indicator on
-- the platform (a million rows): a random leaf page of a large index per
-- value, most of them read in and written out again for a single entry.
-- Split on source_kind, those rows go to small indexes instead; indicators
-- (imports) go to the STIX ones as before. Every reader names the half it
-- probes (source_kind = 'stix' / <> 'stix', written exactly as below so the
-- planner can use the partial index) and probes both: see matchObservables
-- and lookupObservables. The partial index of ranges (0320) stays whole: it
-- holds ranges only, and a single address only costs its predicate.
DROP INDEX intel_observables_value;
DROP INDEX intel_observables_ip;
CREATE INDEX intel_observables_stix_value ON intel_observables (kind, value) WHERE source_kind = 'stix';
CREATE INDEX intel_observables_own_value ON intel_observables (kind, value) WHERE source_kind <> 'stix';
CREATE INDEX intel_observables_stix_ip ON intel_observables USING gist (ip inet_ops) WHERE ip IS NOT NULL AND source_kind = 'stix';
CREATE INDEX intel_observables_own_ip ON intel_observables USING gist (ip inet_ops) WHERE ip IS NOT NULL AND source_kind <> 'stix';
