-- Whether an API token still authenticates depends on these four tables
-- (auth_token(): the token, its owner, the owner's membership, the org).
-- Every transaction that writes one of them notifies at commit; the
-- embedded PGlite server, whose one connection every writer goes through,
-- keeps token lookups while no such commit has happened (see
-- resolveToken). PostgreSQL has other clients and always looks up.
-- Identical notifications in one transaction collapse into one. Row
-- triggers, not statement triggers: auth_token() runs an UPDATE of
-- last_used_at on every lookup that touches a row only once a minute, and
-- a statement trigger would fire for each of them.
CREATE FUNCTION auth_change_notify() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM pg_notify('muhafiz_auth_changes', '');
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION auth_change_notify() FROM PUBLIC;

CREATE TRIGGER api_tokens_auth_change AFTER INSERT OR UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER api_tokens_auth_truncate AFTER TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER users_auth_change AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER users_auth_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER memberships_auth_change AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER memberships_auth_truncate AFTER TRUNCATE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER orgs_auth_change AFTER INSERT OR UPDATE OR DELETE ON orgs
  FOR EACH ROW EXECUTE FUNCTION auth_change_notify();
CREATE TRIGGER orgs_auth_truncate AFTER TRUNCATE ON orgs
  FOR EACH STATEMENT EXECUTE FUNCTION auth_change_notify();
