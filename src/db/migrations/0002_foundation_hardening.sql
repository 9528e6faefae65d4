-- Foundation hardening.
--
-- 1. auth_token also answers the roles the token's owner holds today, so a
--    token stops working for a role its owner has since lost (an org_admin
--    token of a demoted admin), not only when the membership ends.
-- 2. pending_job_id lets a service that enqueues with a singleton key learn
--    the id of the job already pending, without the request role being able
--    to read the jobs table.

DROP FUNCTION auth_token(uuid, text, timestamptz);

CREATE FUNCTION auth_token(p_org_id uuid, p_token_hash text, p_now timestamptz)
RETURNS TABLE (
  id uuid, org_id uuid, user_id uuid, name text, role text, expires_at timestamptz, revoked_at timestamptz,
  email text, user_disabled_at timestamptz, member_active boolean, member_roles text[], org_kind text
) LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM set_config('app.org_id', p_org_id::text, true);
  UPDATE api_tokens t SET last_used_at = p_now
   WHERE t.org_id = p_org_id AND t.token_hash = p_token_hash
     AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > p_now)
     AND (t.last_used_at IS NULL OR t.last_used_at < p_now - interval '60 seconds');
  RETURN QUERY
    SELECT t.id, t.org_id, t.user_id, t.name, t.role, t.expires_at, t.revoked_at,
           u.email, u.disabled_at, (m.user_id IS NOT NULL AND m.disabled_at IS NULL), m.roles, o.kind
      FROM api_tokens t
      JOIN users u ON u.id = t.user_id
      JOIN orgs o ON o.id = t.org_id AND o.disabled_at IS NULL
      LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
     WHERE t.org_id = p_org_id AND t.token_hash = p_token_hash;
END $$;

REVOKE ALL ON FUNCTION auth_token(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_token(uuid, text, timestamptz) TO muhafiz_app, muhafiz_system;

CREATE FUNCTION pending_job_id(p_singleton_key text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM jobs WHERE singleton_key = p_singleton_key AND status IN ('queued', 'running') LIMIT 1
$$;
REVOKE ALL ON FUNCTION pending_job_id(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pending_job_id(text) TO muhafiz_app, muhafiz_system;
