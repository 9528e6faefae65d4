-- Foundation: roles, tenancy helpers, identity, sessions, tokens, audit log,
-- jobs, mail outbox, notifications, rate limits.
--
-- Two roles carry every query the app makes:
--   muhafiz_app     request-time role: owns nothing, no BYPASSRLS; row-level
--                   security keys every tenant table on app_org_id().
--   muhafiz_system  jobs, sign-in lookups, platform administration, audit
--                   verification: BYPASSRLS, still owns nothing.
-- Each transaction picks one with SET LOCAL ROLE and sets app.org_id and
-- app.user_id with set_config(..., true) (see src/db/tx.ts).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'muhafiz_app') THEN
    CREATE ROLE muhafiz_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'muhafiz_system') THEN
    CREATE ROLE muhafiz_system NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
  END IF;
END $$;

GRANT muhafiz_app TO CURRENT_USER;
GRANT muhafiz_system TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO muhafiz_app, muhafiz_system;

CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
GRANT EXECUTE ON FUNCTION app_org_id(), app_user_id() TO muhafiz_app, muhafiz_system;

-- Organisations ------------------------------------------------------------
CREATE TABLE orgs (
  id           uuid PRIMARY KEY,
  name         text NOT NULL,
  short_name   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('platform','regulator','cert','regulated_entity','service_provider','certification_body')),
  sector       text,
  country      text,
  mfa_required boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled_at  timestamptz
);
CREATE UNIQUE INDEX orgs_short_name ON orgs (lower(short_name));
CREATE UNIQUE INDEX orgs_one_platform ON orgs (kind) WHERE kind = 'platform';
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs FORCE ROW LEVEL SECURITY;
-- The directory of organisations is visible to every signed-in actor; only
-- an org's own admins (acting in it) may change it.
CREATE POLICY orgs_read ON orgs FOR SELECT USING (true);
CREATE POLICY orgs_update ON orgs FOR UPDATE USING (id = app_org_id()) WITH CHECK (id = app_org_id());
GRANT SELECT, UPDATE (name, mfa_required) ON orgs TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON orgs TO muhafiz_system;

-- A regulator supervises entities; a CERT serves a constituency.
CREATE TABLE org_relations (
  org_id         uuid NOT NULL REFERENCES orgs(id),
  kind           text NOT NULL CHECK (kind IN ('supervises','serves')),
  related_org_id uuid NOT NULL REFERENCES orgs(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, kind, related_org_id)
);
CREATE INDEX org_relations_related ON org_relations (related_org_id, kind);
GRANT SELECT ON org_relations TO muhafiz_app;
GRANT SELECT, INSERT, DELETE ON org_relations TO muhafiz_system;

-- Users -------------------------------------------------------------------
CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  email               text NOT NULL,
  display_name        text NOT NULL,
  password_hash       text,
  password_changed_at timestamptz,
  totp_secret_enc     text,
  totp_last_step      bigint,
  mfa_enabled         boolean NOT NULL DEFAULT false,
  platform_admin      boolean NOT NULL DEFAULT false,
  failed_logins       integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  time_zone           text NOT NULL DEFAULT 'UTC',
  created_at          timestamptz NOT NULL DEFAULT now(),
  disabled_at         timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
-- The request role never sees credentials.
GRANT SELECT (id, email, display_name, mfa_enabled, platform_admin, time_zone, created_at, disabled_at) ON users TO muhafiz_app;
GRANT UPDATE (display_name, time_zone) ON users TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON users TO muhafiz_system;

CREATE TABLE mfa_recovery_codes (
  user_id    uuid NOT NULL REFERENCES users(id),
  code_hash  text NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_recovery_codes TO muhafiz_system;

-- Memberships: a user belongs to several orgs, with roles in each.
CREATE TABLE memberships (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  user_id     uuid NOT NULL REFERENCES users(id),
  roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, org_id);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY memberships_own ON memberships FOR SELECT USING (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE ON memberships TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON memberships TO muhafiz_system;

CREATE TABLE invitations (
  org_id      uuid NOT NULL REFERENCES orgs(id),
  id          uuid NOT NULL,
  email       text NOT NULL,
  roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
  token_hash  text NOT NULL,
  invited_by  uuid NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES users(id),
  revoked_at  timestamptz,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX invitations_token ON invitations (token_hash);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant ON invitations USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON invitations TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON invitations TO muhafiz_system;

-- Sessions: server-side; the cookie carries a random id, the table its sha256.
CREATE TABLE sessions (
  id_hash             text PRIMARY KEY,
  user_id             uuid NOT NULL REFERENCES users(id),
  org_id              uuid REFERENCES orgs(id),
  stage               text NOT NULL CHECK (stage IN ('mfa_pending','mfa_enrolment','active')),
  csrf_token          text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  idle_expires_at     timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at          timestamptz,
  ip                  text,
  user_agent          text
);
CREATE INDEX sessions_user ON sessions (user_id, created_at DESC);
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO muhafiz_system;

-- API tokens: scoped to one org and one role; stored as sha256.
CREATE TABLE api_tokens (
  org_id       uuid NOT NULL REFERENCES orgs(id),
  id           uuid NOT NULL,
  user_id      uuid NOT NULL REFERENCES users(id),
  name         text NOT NULL,
  role         text NOT NULL,
  token_hash   text NOT NULL,
  token_prefix text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX api_tokens_hash ON api_tokens (token_hash);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_tenant ON api_tokens USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT (org_id, id, user_id, name, role, token_prefix, created_at, expires_at, revoked_at, last_used_at) ON api_tokens TO muhafiz_app;
GRANT INSERT, UPDATE (revoked_at) ON api_tokens TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON api_tokens TO muhafiz_system;

-- Audit log: append-only, hash-chained per organisation ----------------------
CREATE TABLE audit_log (
  org_id        uuid NOT NULL,
  seq           bigint NOT NULL,
  id            uuid NOT NULL,
  at            timestamptz NOT NULL,
  actor_user_id uuid,
  actor_token_id uuid,
  actor_label   text NOT NULL,
  action        text NOT NULL,
  entity_type   text NOT NULL,
  entity_id     text,
  before_digest text,
  after_digest  text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id    text,
  ip            text,
  prev_hash     text NOT NULL,
  hash          text NOT NULL,
  PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (org_id, at DESC);
CREATE INDEX audit_log_entity ON audit_log (org_id, entity_type, entity_id);
CREATE INDEX audit_log_actor ON audit_log (org_id, actor_user_id);

CREATE TABLE audit_heads (
  org_id uuid PRIMARY KEY,
  seq    bigint NOT NULL,
  hash   text NOT NULL
);

CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_tenant ON audit_log USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_tenant ON audit_heads USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT ON audit_log TO muhafiz_app, muhafiz_system;
GRANT SELECT, INSERT, UPDATE ON audit_heads TO muhafiz_app, muhafiz_system;

-- Jobs: a durable queue; workers claim with FOR UPDATE SKIP LOCKED -----------
CREATE TABLE jobs (
  id            uuid PRIMARY KEY,
  name          text NOT NULL,
  org_id        uuid,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed','cancelled')),
  run_at        timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 5,
  singleton_key text,
  locked_by     text,
  locked_until  timestamptz,
  progress      jsonb,
  result        jsonb,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX jobs_ready ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_stale ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_org ON jobs (org_id, created_at DESC);
-- At most one pending job per singleton key (deadline reminders, schedules).
CREATE UNIQUE INDEX jobs_singleton ON jobs (singleton_key) WHERE status IN ('queued','running');
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO muhafiz_system;
-- Services enqueue follow-up work in their own transaction; only workers read jobs.
GRANT INSERT ON jobs TO muhafiz_app;

CREATE TABLE job_schedules (
  name             text PRIMARY KEY,
  interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
  next_run_at      timestamptz NOT NULL,
  last_run_at      timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON job_schedules TO muhafiz_system;

-- Mail: sent through SMTP when configured, always recorded here -------------
CREATE TABLE mail_outbox (
  id          uuid PRIMARY KEY,
  org_id      uuid,
  to_address  text NOT NULL,
  subject     text NOT NULL,
  body_text   text NOT NULL,
  status      text NOT NULL CHECK (status IN ('queued','sent','stored','failed')),
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX mail_outbox_org ON mail_outbox (org_id, created_at DESC);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at DESC);
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO muhafiz_system;
GRANT INSERT ON mail_outbox TO muhafiz_app;

-- In-app notifications per user, within an org.
CREATE TABLE notifications (
  org_id     uuid NOT NULL REFERENCES orgs(id),
  user_id    uuid NOT NULL REFERENCES users(id),
  id         uuid NOT NULL,
  kind       text NOT NULL,
  title      text NOT NULL,
  body       text NOT NULL DEFAULT '',
  link       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  PRIMARY KEY (org_id, user_id, id)
);
CREATE INDEX notifications_unread ON notifications (org_id, user_id, created_at DESC) WHERE read_at IS NULL;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_insert ON notifications FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY notifications_own ON notifications FOR SELECT USING (org_id = app_org_id() AND user_id = app_user_id());
CREATE POLICY notifications_own_update ON notifications FOR UPDATE USING (org_id = app_org_id() AND user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE (read_at) ON notifications TO muhafiz_app;
GRANT SELECT, INSERT, UPDATE ON notifications TO muhafiz_system;

-- Fixed-window counters for rate limits, shared by every app node.
CREATE TABLE rate_limits (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO muhafiz_system;

-- Sign-in lookups ----------------------------------------------------------
-- The request role cannot read sessions or token hashes. These two narrow
-- SECURITY DEFINER functions are the only way in: they find one session (or
-- one token, within the org its text names), slide the idle timeout at most
-- once a minute, and return just what the server needs to build the actor.

CREATE FUNCTION auth_session(p_id_hash text, p_now timestamptz, p_idle_seconds integer)
RETURNS TABLE (
  user_id uuid, org_id uuid, stage text, csrf_token text, created_at timestamptz,
  idle_expires_at timestamptz, absolute_expires_at timestamptz, revoked_at timestamptz,
  email text, display_name text, platform_admin boolean, mfa_enabled boolean, user_disabled_at timestamptz,
  roles text[], org_kind text, org_mfa_required boolean
) LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE v_user uuid;
BEGIN
  SELECT s.user_id INTO v_user FROM sessions s WHERE s.id_hash = p_id_hash;
  IF v_user IS NULL THEN RETURN; END IF;
  PERFORM set_config('app.user_id', v_user::text, true);
  UPDATE sessions s
     SET last_seen_at = p_now,
         idle_expires_at = least(p_now + make_interval(secs => p_idle_seconds), s.absolute_expires_at)
   WHERE s.id_hash = p_id_hash AND s.revoked_at IS NULL
     AND s.idle_expires_at > p_now AND s.absolute_expires_at > p_now
     AND s.last_seen_at < p_now - interval '60 seconds';
  RETURN QUERY
    SELECT s.user_id, s.org_id, s.stage, s.csrf_token, s.created_at, s.idle_expires_at, s.absolute_expires_at, s.revoked_at,
           u.email, u.display_name, u.platform_admin, u.mfa_enabled, u.disabled_at,
           m.roles, o.kind, o.mfa_required
      FROM sessions s
      JOIN users u ON u.id = s.user_id
      LEFT JOIN memberships m ON m.org_id = s.org_id AND m.user_id = s.user_id AND m.disabled_at IS NULL
      LEFT JOIN orgs o ON o.id = s.org_id AND o.disabled_at IS NULL
     WHERE s.id_hash = p_id_hash;
END $$;

CREATE FUNCTION auth_token(p_org_id uuid, p_token_hash text, p_now timestamptz)
RETURNS TABLE (
  id uuid, org_id uuid, user_id uuid, name text, role text, expires_at timestamptz, revoked_at timestamptz,
  email text, user_disabled_at timestamptz, member_active boolean, org_kind text
) LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM set_config('app.org_id', p_org_id::text, true);
  UPDATE api_tokens t SET last_used_at = p_now
   WHERE t.org_id = p_org_id AND t.token_hash = p_token_hash
     AND (t.last_used_at IS NULL OR t.last_used_at < p_now - interval '60 seconds');
  RETURN QUERY
    SELECT t.id, t.org_id, t.user_id, t.name, t.role, t.expires_at, t.revoked_at,
           u.email, u.disabled_at, (m.user_id IS NOT NULL AND m.disabled_at IS NULL), o.kind
      FROM api_tokens t
      JOIN users u ON u.id = t.user_id
      JOIN orgs o ON o.id = t.org_id AND o.disabled_at IS NULL
      LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
     WHERE t.org_id = p_org_id AND t.token_hash = p_token_hash;
END $$;

REVOKE ALL ON FUNCTION auth_session(text, timestamptz, integer), auth_token(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_session(text, timestamptz, integer), auth_token(uuid, text, timestamptz) TO muhafiz_app, muhafiz_system;
