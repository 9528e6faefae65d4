-- A log of which transactions wrote what, so that a process can keep what it
-- read (an API token's lookup, a TAXII page) and later learn, with one query
-- or none, whether anything it depends on has changed since.
--
-- Every transaction that writes a watched table leaves one row per topic,
-- keyed by its own transaction id (triggers call change_log_write with the
-- topic). Writers never wait for each other: each inserts its own row (a
-- counter row would serialise them on its lock). A reader keeps what it read
-- with the mark of a snapshot taken before or with the read (change_mark).
-- Later, change_since(floor) answers the current snapshot, the epoch, and
-- the rows of every transaction from `floor` on; a kept thing is current
-- if no row of its topic belongs to a transaction its mark could not see
-- (src/core/change-watch.ts evaluates that in the process, so one query
-- answers for every kept thing and every request that arrived before it).
--
-- The same triggers send pg_notify('muhafiz_changes', topic), delivered at
-- commit only: the embedded PGlite server, whose one connection every writer
-- goes through, counts them and needs no query at all.
--
-- change_prune (job `maintenance.changes.prune`) empties the log and bumps
-- the epoch in one transaction: anything kept under an older epoch is
-- treated as changed; a mark taken after the prune saw every deleted row.
CREATE TABLE change_log (
  xid   xid8 NOT NULL,
  topic text NOT NULL,
  PRIMARY KEY (xid, topic)
);
CREATE TABLE change_epoch (
  one   boolean PRIMARY KEY DEFAULT true CHECK (one),
  epoch bigint NOT NULL
);
INSERT INTO change_epoch (epoch) VALUES (1);
REVOKE ALL ON change_log, change_epoch FROM PUBLIC;

-- SECURITY DEFINER: the request roles get no right on the log itself.
CREATE FUNCTION change_log_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO change_log (xid, topic) VALUES (pg_current_xact_id(), TG_ARGV[0]) ON CONFLICT DO NOTHING;
  -- Identical notifications of one transaction collapse into one.
  PERFORM pg_notify('muhafiz_changes', TG_ARGV[0]);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION change_log_write() FROM PUBLIC;

-- The mark of the calling statement's snapshot.
CREATE FUNCTION change_mark(OUT snap text, OUT epoch bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT pg_current_snapshot()::text, (SELECT e.epoch FROM change_epoch e)
$$;
REVOKE ALL ON FUNCTION change_mark() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_mark() TO muhafiz_app, muhafiz_system;

-- The current snapshot and epoch, and the writes of every transaction from
-- p_floor on (transaction id as text, topic). STABLE: the rows and
-- pg_current_snapshot() are read in the calling statement's snapshot, so a
-- kept thing found current is current at `snap` too. PL/pgSQL so its plan
-- is kept per connection.
CREATE FUNCTION change_since(p_floor xid8, OUT snap text, OUT epoch bigint, OUT xids text[], OUT topics text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  SELECT e.epoch INTO epoch FROM change_epoch e;
  snap := pg_current_snapshot()::text;
  SELECT coalesce(array_agg(c.xid::text ORDER BY c.xid), '{}'), coalesce(array_agg(c.topic ORDER BY c.xid), '{}')
    INTO xids, topics
    FROM change_log c WHERE c.xid >= p_floor;
END $$;
REVOKE ALL ON FUNCTION change_since(xid8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_since(xid8) TO muhafiz_app, muhafiz_system;

CREATE FUNCTION change_prune() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n integer;
BEGIN
  UPDATE change_epoch SET epoch = epoch + 1;
  DELETE FROM change_log;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION change_prune() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION change_prune() TO muhafiz_system;

-- Topic `auth`: whether an API token still authenticates (auth_token():
-- the token, its owner, the owner's membership, the org). Row triggers:
-- auth_token() runs an UPDATE of last_used_at on every lookup that touches
-- a row only once a minute, and a statement trigger would fire for each.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_tokens', 'users', 'memberships', 'orgs'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION change_log_write(''auth'')', t || '_change', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION change_log_write(''auth'')', t || '_change_truncate', t);
  END LOOP;
END $$;
