-- Foundation hardening.
--
-- 1. auth_token also answers the roles the token's owner holds today, so a
--    token stops working for a role its owner has since lost (an org_admin
--    token of a demoted admin), not only when the membership ends.
-- 2. enqueue_job: INSERT ... ON CONFLICT on the singleton index needs SELECT
--    on jobs, which the request role must not have (jobs carry every org's
--    payloads), so services could not enqueue at all. This narrow function
--    inserts (or finds the pending twin) and answers only the job's id.

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

CREATE FUNCTION enqueue_job(
  p_id uuid, p_name text, p_org_id uuid, p_payload jsonb, p_run_at timestamptz, p_singleton_key text, p_max_attempts integer
) RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE v_id uuid;
BEGIN
  -- Two tries: a pending twin may finish between the conflict and the lookup.
  FOR i IN 1..2 LOOP
    INSERT INTO jobs (id, name, org_id, payload, run_at, singleton_key, max_attempts)
    VALUES (p_id, p_name, p_org_id, coalesce(p_payload, '{}'::jsonb), p_run_at, p_singleton_key, coalesce(p_max_attempts, 5))
    ON CONFLICT (singleton_key) WHERE status IN ('queued', 'running') DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN RETURN v_id; END IF;
    SELECT j.id INTO v_id FROM jobs j WHERE j.singleton_key = p_singleton_key AND j.status IN ('queued', 'running');
    IF v_id IS NOT NULL THEN RETURN v_id; END IF;
  END LOOP;
  RAISE EXCEPTION 'could not enqueue job % with singleton key %', p_name, p_singleton_key;
END $$;
REVOKE ALL ON FUNCTION enqueue_job(uuid, text, uuid, jsonb, timestamptz, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_job(uuid, text, uuid, jsonb, timestamptz, text, integer) TO muhafiz_app, muhafiz_system;
