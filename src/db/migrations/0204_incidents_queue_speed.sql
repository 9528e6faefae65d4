-- CERT triage queue and statistics over tens of thousands of incidents.
--
-- 1. The incidents policies called app_org_id() (current_setting + a uuid
--    cast) for every row scanned, several times per row. Written as
--    (SELECT app_org_id()) it is an InitPlan: evaluated once per query, then
--    compared as a constant. Same meaning, one evaluation. Rows hanging off an
--    incident (stages, observables, attachments, thread) check visibility
--    through these policies, so they gain too.
ALTER POLICY incidents_tenant ON incidents
  USING (org_id = (SELECT app_org_id()))
  WITH CHECK (org_id = (SELECT app_org_id()));
ALTER POLICY incidents_cert_read ON incidents
  USING (cert_org_id = (SELECT app_org_id()) AND status <> 'draft'
         AND org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = (SELECT app_org_id()) AND r.kind = 'serves'));
ALTER POLICY incidents_cert_update ON incidents
  USING (cert_org_id = (SELECT app_org_id()) AND status <> 'draft'
         AND org_id IN (SELECT r.related_org_id FROM org_relations r WHERE r.org_id = (SELECT app_org_id()) AND r.kind = 'serves'))
  WITH CHECK (cert_org_id = (SELECT app_org_id()) AND status <> 'draft');

-- 2. Queue pages in the order the queue sorts them (next deadline first, or
--    newest first, ties by id), so page 1 reads 50 index entries instead of
--    sorting the whole constituency. Like incidents_cert_queue these are
--    keyed by the CERT (cert_org_id) because that is the partition the queue
--    reads across entities; the entity's own list keeps org_id first.
CREATE INDEX incidents_cert_deadline_order ON incidents (cert_org_id, next_due_at ASC NULLS LAST, created_at DESC, id);
CREATE INDEX incidents_cert_created_order ON incidents (cert_org_id, created_at DESC, id);
CREATE INDEX incidents_org_deadline_order ON incidents (org_id, next_due_at ASC NULLS LAST, created_at DESC, id);

-- 3. The exact total under each page and the statistics' counts read only
--    the columns of this index (the policies need org_id, cert_org_id and
--    status; the common filters add severity and class), so they can be
--    index-only scans instead of heap scans.
CREATE INDEX incidents_cert_counts ON incidents (cert_org_id, status, severity, rsit_class, org_id);
