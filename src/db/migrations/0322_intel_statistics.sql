-- PGlite runs no autovacuum, so after a large import the planner would keep
-- planning stix_objects and intel_observables as if they were empty (a
-- TAXII page or a correlation join then reads every row instead of using
-- the indexes). Large imports on PGlite refresh the statistics through this
-- function (the tables' owner runs ANALYZE; the request roles own nothing).
-- PostgreSQL's autovacuum does the same on its own.
CREATE FUNCTION intel_refresh_statistics() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  ANALYZE stix_objects;
  ANALYZE intel_observables;
END
$$;
REVOKE ALL ON FUNCTION intel_refresh_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_refresh_statistics() TO muhafiz_app, muhafiz_system;
