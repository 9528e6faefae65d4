-- Reporting-deadline adherence and statistics at constituency scale
-- (issue 4: 50,000 incidents from 500 entities).
--
-- 1. Each stage's due time and first submission, stored on the incident.
--    Statistics used to recompute every incident's deadlines from its regime
--    in the application to count met / late / overdue stages; now they are
--    SQL aggregates over these columns. The due times are still computed by
--    the regime's rules in one place (computeDeadlines, in TypeScript) and
--    stored by every write that moves a clock fact (a stage submitted, a
--    rejection) and by every regime edit, next to next_due_at.
--
--    Existing rows are marked deadlines_stored = false: the server fills them
--    in at start-up (storePendingDeadlines, before it serves a request) with
--    the same rules, so this file does not carry a second copy of them. New
--    rows are drafts with no clock facts yet, hence the default true for them.
ALTER TABLE incidents
  ADD COLUMN initial_due_at            timestamptz,
  ADD COLUMN intermediate_due_at       timestamptz,
  ADD COLUMN final_due_at              timestamptz,
  ADD COLUMN initial_submitted_at      timestamptz,
  ADD COLUMN intermediate_submitted_at timestamptz,
  ADD COLUMN final_submitted_at        timestamptz,
  ADD COLUMN deadlines_stored          boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ALTER COLUMN deadlines_stored SET DEFAULT true;
CREATE INDEX incidents_deadlines_pending ON incidents (org_id, id) WHERE NOT deadlines_stored;
-- The start-up backfill runs as muhafiz_system (it reads across tenants, like the deadline sweep).
GRANT UPDATE (initial_due_at, intermediate_due_at, final_due_at, initial_submitted_at, intermediate_submitted_at, final_submitted_at, deadlines_stored)
  ON incidents TO muhafiz_system;

-- 2. The statistics read only columns of one index (index-only scans), not
--    the wide rows with their report drafts: the medians need when an
--    incident first entered triage and containment, so those two moments of
--    state_entered are copied into columns (set by every transition from now
--    on; filled here for existing rows). Keyed by the CERT like the queue's
--    indexes (0204), because the statistics read across its constituency.
ALTER TABLE incidents ADD COLUMN triaged_at timestamptz, ADD COLUMN contained_at timestamptz;
UPDATE incidents SET triaged_at = (state_entered->>'triage')::timestamptz, contained_at = (state_entered->>'containment')::timestamptz
 WHERE state_entered ? 'triage' OR state_entered ? 'containment';
CREATE INDEX incidents_cert_stats ON incidents (cert_org_id, org_id, status)
  INCLUDE (rsit_class, severity, first_reported_at, detected_at, triaged_at, contained_at,
           initial_due_at, initial_submitted_at, intermediate_due_at, intermediate_submitted_at, final_due_at, final_submitted_at);
