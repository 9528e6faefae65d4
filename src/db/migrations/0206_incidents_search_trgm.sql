-- Free-text search of the CERT queue at constituency scale (issue 4):
-- ILIKE '%term%' on title, ref and the entity's name, through trigram
-- indexes instead of reading every row.
--
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner that
-- runs migrations may create it; PGlite loads it where it opens the database
-- (src/db/connect.ts), before any migration runs.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX incidents_title_trgm ON incidents USING gin (title gin_trgm_ops);
CREATE INDEX incidents_ref_trgm ON incidents USING gin (ref gin_trgm_ops);

-- Row-level security keeps a query's own conditions from running before the
-- policies unless they are leakproof, and ILIKE is not (a bad pattern raises
-- an error), so under RLS the planner never uses these indexes (EXPLAIN: a
-- sequential scan of every incident). This function runs the match as the
-- owner, through the indexes, and answers only ids, only of incidents the
-- acting org may read under the incidents policies (its own; a served
-- entity's submitted ones). The queue joins its answer under RLS as usual, so
-- the policies still decide what is shown; the function only finds the
-- candidates fast. PL/pgSQL so its plan is cached per connection (an SQL
-- function would be planned again on every call). ROWS 50 tells the planner a
-- search finds tens of incidents, not hundreds: with ROWS 200, EXPLAIN on the
-- 50,000-incident bench database showed it hashing the whole constituency
-- (sequential scan, 478 ms) instead of looking each candidate up by primary
-- key (54 ms); the lookups stay cheap even when a search matches thousands.
CREATE FUNCTION incident_text_matches(p_pattern text) RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public ROWS 50 AS $$
BEGIN
  RETURN QUERY
  SELECT i.org_id, i.id FROM incidents i
   WHERE (i.title ILIKE p_pattern OR i.ref ILIKE p_pattern
          OR i.org_id = ANY (ARRAY(SELECT o.id FROM orgs o WHERE o.name ILIKE p_pattern)))
     AND (i.org_id = app_org_id()
          OR (i.cert_org_id = app_org_id() AND i.status <> 'draft'
              AND i.org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = app_org_id() AND r.kind = 'serves')));
END $$;
REVOKE ALL ON FUNCTION incident_text_matches(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_text_matches(text) TO muhafiz_app, muhafiz_system;
