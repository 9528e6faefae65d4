-- Looking up an address or range (POST /api/intel/lookup, the correlation
-- view of an incident) read every row of intel_observables: it runs as the
-- reader under row-level security, and the inet containment operators (>>=,
-- <<=) are not leakproof, so PostgreSQL may not evaluate them in an index
-- scan ahead of the policy (EXPLAIN ANALYZE at 1,150,000 rows: a sequential
-- scan, about 1 s per address). This function finds the candidates through
-- the two GiST address indexes (0325) as its owner, the migrating role,
-- which bypasses row-level security (superuser or BYPASSRLS, see
-- docs/operations.md), and answers only keys of
-- rows the reader may see by the same rule as the read policy
-- (intel_can_see); the lookup then reads those rows under the policy as
-- usual, so the policy still decides what is shown. PL/pgSQL so its plan is
-- cached per connection; ROWS 50: a lookup finds tens of rows, not the table.
CREATE FUNCTION intel_observables_overlapping(p_ip inet) RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public ROWS 50 AS $$
BEGIN
  RETURN QUERY
  SELECT o.org_id, o.id FROM intel_observables o
   WHERE o.ip IS NOT NULL AND o.source_kind = 'stix' AND (o.ip >>= p_ip OR o.ip <<= p_ip)
     AND intel_can_see(app_org_id(), app_user_id(), o.org_id, o.tlp, o.recipient_orgs, o.recipient_users, o.sharing_groups)
  UNION ALL
  SELECT o.org_id, o.id FROM intel_observables o
   WHERE o.ip IS NOT NULL AND o.source_kind <> 'stix' AND (o.ip >>= p_ip OR o.ip <<= p_ip)
     AND intel_can_see(app_org_id(), app_user_id(), o.org_id, o.tlp, o.recipient_orgs, o.recipient_users, o.sharing_groups);
END $$;
REVOKE ALL ON FUNCTION intel_observables_overlapping(inet) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_observables_overlapping(inet) TO muhafiz_app, muhafiz_system;
