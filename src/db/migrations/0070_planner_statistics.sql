-- PGlite runs no autovacuum, and its activity counters (n_mod_since_analyze)
-- are never flushed, so a table analyzed while small (or never) keeps being
-- planned as empty: the member list, for one, joined users by scanning the
-- whole table once per membership instead of hashing it (10.6 ms against
-- 0.6 ms for 50 members). The job `maintenance.statistics`, scheduled on
-- PGlite only, calls this function to analyze every table that was never
-- analyzed or whose size moved by more than a fifth since it last was,
-- which is close to what autovacuum's analyze does on PostgreSQL.
-- The tables' owner runs ANALYZE; the request roles own nothing.
CREATE FUNCTION refresh_stale_statistics() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r record;
  n integer := 0;
BEGIN
  FOR r IN
    SELECT s.rel FROM (
      SELECT c.oid::regclass AS rel, c.reltuples, c.relpages,
             pg_relation_size(c.oid) / current_setting('block_size')::bigint AS pages
        FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
       WHERE ns.nspname = 'public' AND c.relkind = 'r'
    ) s
     WHERE s.pages > 0 AND (s.reltuples < 0 OR s.pages > s.relpages * 1.2 OR s.pages * 1.2 < s.relpages)
  LOOP
    EXECUTE format('ANALYZE %s', r.rel);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION refresh_stale_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_stale_statistics() TO muhafiz_system;
