-- Planner statistics after imports, on both drivers. 0322 refreshed them on
-- PGlite only, trusting PostgreSQL's autovacuum; but autovacuum may be off
-- (it is on some servers) or a minute behind an import that a TAXII client
-- reads at once, and without statistics a TAXII page sorts the whole
-- collection instead of walking its index (10,000 objects: 110 ms instead
-- of 14 ms a page). This version analyzes a table only when autovacuum's
-- own rule would (rows changed since the last ANALYZE, counting the import
-- just committed, above 50 + 10% of the table), so frequent small feed
-- imports into a large store do not re-sample it each time.
DROP FUNCTION intel_refresh_statistics();
CREATE FUNCTION intel_refresh_statistics(p_added bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  t regclass;
BEGIN
  FOREACH t IN ARRAY ARRAY['stix_objects'::regclass, 'intel_observables'::regclass] LOOP
    IF p_added + pg_stat_get_mod_since_analyze(t) > 50 + 0.1 * greatest((SELECT reltuples FROM pg_class WHERE oid = t), 0) THEN
      EXECUTE format('ANALYZE %s', t);
    END IF;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION intel_refresh_statistics(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_refresh_statistics(bigint) TO muhafiz_app, muhafiz_system;
