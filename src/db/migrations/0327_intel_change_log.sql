-- What a TAXII page shows can change only through these tables: the objects
-- themselves (their sharing is stored on each row) and sharing-group
-- membership (read by intel_can_see through org_sharing_groups). Every
-- transaction that writes one of them leaves one row here, keyed by its own
-- transaction id, from a statement-level trigger. A reader that kept a page
-- together with the snapshot it was read in (intel_change_mark) can then ask
-- whether any writing transaction committed since (intel_change_check): if
-- not, the page is still exactly what a fresh read would answer. Writers do
-- not wait for each other: each inserts its own row (a counter row would
-- serialise every intel writer on its lock).
--
-- intel_change_prune (the job `intel.changes.prune`) empties the log and
-- bumps the epoch in the same transaction, so any page kept from before the
-- prune is answered as changed; a page kept after it was read in a snapshot
-- that saw every deleted row.
CREATE TABLE intel_changes (
  xid xid8 PRIMARY KEY
);
CREATE TABLE intel_change_epoch (
  one   boolean PRIMARY KEY DEFAULT true CHECK (one),
  epoch bigint NOT NULL
);
INSERT INTO intel_change_epoch (epoch) VALUES (1);
REVOKE ALL ON intel_changes, intel_change_epoch FROM PUBLIC;

-- SECURITY DEFINER: the request roles get no right on the log itself.
CREATE FUNCTION intel_change_log() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO intel_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  -- Delivered at commit only, once per transaction (identical notifications
  -- collapse): the embedded PGlite server checks kept pages against it
  -- without a query (Database.onCommitNotify).
  PERFORM pg_notify('muhafiz_intel_changes', '');
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION intel_change_log() FROM PUBLIC;

CREATE TRIGGER stix_objects_change_log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stix_objects
  FOR EACH STATEMENT EXECUTE FUNCTION intel_change_log();
CREATE TRIGGER sharing_group_members_change_log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sharing_group_members
  FOR EACH STATEMENT EXECUTE FUNCTION intel_change_log();
CREATE TRIGGER sharing_groups_change_log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sharing_groups
  FOR EACH STATEMENT EXECUTE FUNCTION intel_change_log();

-- The mark a page is kept with: the snapshot of this statement and the epoch.
-- Taken before the page is read, it can only make a kept page look changed
-- when it is not, never the other way round.
CREATE FUNCTION intel_change_mark(OUT snap text, OUT epoch bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT pg_current_snapshot()::text, (SELECT e.epoch FROM intel_change_epoch e)
$$;
REVOKE ALL ON FUNCTION intel_change_mark() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_change_mark() TO muhafiz_app, muhafiz_system;

-- Whether a transaction that wrote intel committed after the snapshot of a
-- mark, or the log was pruned since (changed), and the mark of this check's
-- own snapshot (snap, epoch): a page that has not changed is current at
-- that snapshot too, so the caller may keep it under the newer mark and
-- pages checked together converge on one mark. Rows below the mark's xmin
-- were already visible to it; the primary key walks the rest. STABLE: every
-- query here and pg_current_snapshot() see the calling statement's
-- snapshot. PL/pgSQL so its plans are kept per connection (a SQL function
-- is planned at every call).
CREATE FUNCTION intel_change_check(p_snap text, p_epoch bigint, OUT changed boolean, OUT snap text, OUT epoch bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  s pg_snapshot := p_snap::pg_snapshot;
BEGIN
  SELECT e.epoch INTO epoch FROM intel_change_epoch e;
  snap := pg_current_snapshot()::text;
  changed := epoch <> p_epoch
          OR EXISTS (SELECT 1 FROM intel_changes c
                      WHERE c.xid >= pg_snapshot_xmin(s)
                        AND NOT pg_visible_in_snapshot(c.xid, s));
END $$;
REVOKE ALL ON FUNCTION intel_change_check(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_change_check(text, bigint) TO muhafiz_app, muhafiz_system;

-- Empties the log of every committed row and bumps the epoch; returns how
-- many rows it removed.
CREATE FUNCTION intel_change_prune() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n integer;
BEGIN
  UPDATE intel_change_epoch SET epoch = epoch + 1;
  DELETE FROM intel_changes;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION intel_change_prune() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intel_change_prune() TO muhafiz_system;
