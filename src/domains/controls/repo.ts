import { sql, type ColumnType, type Generated } from 'kysely';
import type { Tx } from '../../core/context.js';
import { likePattern } from '../../core/paging.js';
import type { Timestamp } from '../../db/types.js';
import type { ControlQuery, EvidenceQuery, Frequency, ImplementationStatus } from './schema.js';

type DateCol = ColumnType<string, string, string>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;

export interface AppliedControlsTable {
  org_id: string;
  id: string;
  ref: string;
  name: string;
  description: Generated<string>;
  owner_id: string | null;
  status: Generated<ImplementationStatus>;
  frequency: Frequency | null;
  next_check_on: NullableDate;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AppliedControlRequirementsTable {
  org_id: string;
  control_id: string;
  framework_key: string;
  ref: string;
}

export interface EvidenceTable {
  org_id: string;
  id: string;
  ref: string;
  title: string;
  description: Generated<string>;
  kind: 'file' | 'link';
  file_id: string | null;
  file_sha256: string | null;
  file_name: string | null;
  media_type: string | null;
  size_bytes: ColumnType<string | null, number | null, number | null>;
  url: string | null;
  valid_from: DateCol;
  valid_until: NullableDate;
  review_outcome: 'accepted' | 'rejected' | null;
  review_note: Generated<string>;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EvidenceControlsTable {
  org_id: string;
  evidence_id: string;
  control_id: string;
}

export interface ControlChecksTable {
  org_id: string;
  id: string;
  control_id: string;
  due_on: DateCol;
  result: 'pass' | 'fail' | 'partial' | null;
  note: Generated<string>;
  evidence_id: string | null;
  performed_by: string | null;
  performed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ControlRemindersTable {
  org_id: string;
  kind: string;
  entity_id: string;
  due_on: string;
  sent_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    applied_controls: AppliedControlsTable;
    applied_control_requirements: AppliedControlRequirementsTable;
    evidence: EvidenceTable;
    evidence_controls: EvidenceControlsTable;
    control_checks: ControlChecksTable;
    control_reminders: ControlRemindersTable;
  }
}

/**
 * The SQL expression of an evidence item's state on `today`: rejected by its
 * review, pending (not yet valid), expired (past valid_until) or valid.
 */
export function evidenceState(today: string, alias = 'e') {
  return sql<'valid' | 'expired' | 'pending' | 'rejected'>`case
    when ${sql.ref(`${alias}.review_outcome`)} = 'rejected' then 'rejected'
    when ${sql.ref(`${alias}.valid_from`)} > ${today}::date then 'pending'
    when ${sql.ref(`${alias}.valid_until`)} < ${today}::date then 'expired'
    else 'valid' end`;
}

export function selectControls(tx: Tx, today: string) {
  return tx
    .selectFrom('applied_controls as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select([
      'c.id', 'c.ref', 'c.name', 'c.description', 'c.owner_id', 'c.status', 'c.frequency',
      sql<string | null>`c.next_check_on::text`.as('next_check_on'),
      'c.updated_at', 'u.display_name as owner_name',
      sql<Array<{ framework: string; ref: string }>>`coalesce((select json_agg(json_build_object('framework', r.framework_key, 'ref', r.ref) order by r.framework_key, r.ref)
        from applied_control_requirements r where r.org_id = c.org_id and r.control_id = c.id), '[]'::json)`.as('requirements'),
      sql<{ total: number; valid: number; expired: number }>`(select json_build_object('total', count(*),
          'valid', count(*) filter (where ${evidenceState(today)} = 'valid'),
          'expired', count(*) filter (where ${evidenceState(today)} = 'expired'))
        from evidence_controls ec join evidence e on e.org_id = ec.org_id and e.id = ec.evidence_id
        where ec.org_id = c.org_id and ec.control_id = c.id)`.as('evidence'),
    ]);
}
export type ControlDbRow = Awaited<ReturnType<ReturnType<typeof selectControls>['executeTakeFirstOrThrow']>>;

export function filterControls<Q extends ReturnType<typeof selectControls>>(q: Q, orgId: string, f: Partial<ControlQuery>, today: string): Q {
  let out = q.where('c.org_id', '=', orgId) as Q;
  if (f.q) {
    const p = likePattern(f.q);
    out = out.where((eb) => eb.or([eb('c.name', 'ilike', p), eb('c.ref', 'ilike', p), eb('c.description', 'ilike', p)])) as Q;
  }
  if (f.status) out = out.where('c.status', '=', f.status) as Q;
  if (f.ownerId) out = out.where('c.owner_id', '=', f.ownerId) as Q;
  if (f.framework) {
    const fw = f.framework;
    const ref = f.ref;
    out = out.where((eb) =>
      eb.exists(
        eb.selectFrom('applied_control_requirements as r').select('r.control_id').whereRef('r.org_id', '=', 'c.org_id').whereRef('r.control_id', '=', 'c.id').where('r.framework_key', '=', fw).$if(Boolean(ref), (w) => w.where('r.ref', '=', ref!)),
      ),
    ) as Q;
  }
  if (f.checkDue === 'true') out = out.where('c.next_check_on', '<=', today) as Q;
  return out;
}

export function selectEvidence(tx: Tx, today: string) {
  return tx
    .selectFrom('evidence as e')
    .leftJoin('users as cu', 'cu.id', 'e.created_by')
    .leftJoin('users as ru', 'ru.id', 'e.reviewed_by')
    .select([
      'e.id', 'e.ref', 'e.title', 'e.description', 'e.kind', 'e.file_id', 'e.file_sha256', 'e.file_name', 'e.media_type', sql<number | null>`e.size_bytes::int`.as('size_bytes'), 'e.url',
      sql<string>`e.valid_from::text`.as('valid_from'),
      sql<string | null>`e.valid_until::text`.as('valid_until'),
      evidenceState(today).as('state'),
      'e.review_outcome', 'e.review_note', 'e.reviewed_by', 'e.reviewed_at', 'ru.display_name as reviewer_name',
      'e.created_by', 'cu.display_name as creator_name', 'e.created_at',
      sql<Array<{ id: string; ref: string; name: string; owner_id: string | null }>>`coalesce((select json_agg(json_build_object('id', c.id, 'ref', c.ref, 'name', c.name, 'owner_id', c.owner_id) order by c.ref)
        from evidence_controls ec join applied_controls c on c.org_id = ec.org_id and c.id = ec.control_id
        where ec.org_id = e.org_id and ec.evidence_id = e.id), '[]'::json)`.as('controls'),
    ]);
}
export type EvidenceDbRow = Awaited<ReturnType<ReturnType<typeof selectEvidence>['executeTakeFirstOrThrow']>>;

/** Days before valid_until that evidence counts as "expiring". */
export const EXPIRY_LEAD_DAYS = 30;

export function filterEvidence<Q extends ReturnType<typeof selectEvidence>>(q: Q, orgId: string, f: Partial<EvidenceQuery>, today: string): Q {
  let out = q.where('e.org_id', '=', orgId) as Q;
  if (f.q) {
    const p = likePattern(f.q);
    out = out.where((eb) => eb.or([eb('e.title', 'ilike', p), eb('e.ref', 'ilike', p), eb('e.file_name', 'ilike', p), eb('e.url', 'ilike', p)])) as Q;
  }
  if (f.kind) out = out.where('e.kind', '=', f.kind) as Q;
  if (f.controlId) {
    const id = f.controlId;
    out = out.where((eb) => eb.exists(eb.selectFrom('evidence_controls as ec').select('ec.evidence_id').whereRef('ec.org_id', '=', 'e.org_id').whereRef('ec.evidence_id', '=', 'e.id').where('ec.control_id', '=', id))) as Q;
  }
  if (f.state === 'expiring') out = out.where(sql<boolean>`e.valid_until between ${today}::date and ${today}::date + ${EXPIRY_LEAD_DAYS}::int`).where(sql<boolean>`e.review_outcome is distinct from 'rejected'`) as Q;
  else if (f.state === 'unreviewed') out = out.where('e.reviewed_at', 'is', null) as Q;
  else if (f.state) out = out.where(sql<boolean>`${evidenceState(today)} = ${f.state}`) as Q;
  return out;
}

export function selectChecks(tx: Tx) {
  return tx
    .selectFrom('control_checks as k')
    .innerJoin('applied_controls as c', (j) => j.onRef('c.org_id', '=', 'k.org_id').onRef('c.id', '=', 'k.control_id'))
    .leftJoin('users as u', 'u.id', 'k.performed_by')
    .select([
      'k.id', 'k.control_id', 'c.ref as control_ref', 'c.name as control_name', sql<string>`k.due_on::text`.as('due_on'), 'k.result', 'k.note', 'k.evidence_id',
      'k.performed_by', 'u.display_name as performer_name', 'k.performed_at',
    ]);
}
export type CheckDbRow = Awaited<ReturnType<ReturnType<typeof selectChecks>['executeTakeFirstOrThrow']>>;

/** The next free "<prefix>-NNN" reference in `table`. */
export async function nextRef(tx: Tx, orgId: string, table: 'applied_controls' | 'evidence', prefix: 'C' | 'E'): Promise<string> {
  const r = await sql<{ n: number }>`select coalesce(max(substring(ref from ${prefix.length + 2}::int)::int), 0) + 1 as n from ${sql.table(table)} where org_id = ${orgId} and ref ~ ${`^${prefix}-[0-9]+$`}`.execute(tx);
  return `${prefix}-${String(Number(r.rows[0]!.n)).padStart(prefix === 'E' ? 4 : 3, '0')}`;
}

/**
 * Coverage of requirements by applied controls, one row per mapped
 * (framework, ref): how many controls in each status, their evidence by state,
 * and the control refs. One aggregate; the SoA and the compliance overview
 * build on it.
 */
export async function requirementCoverage(tx: Tx, orgId: string, frameworks: readonly string[], today: string) {
  if (frameworks.length === 0) return [];
  const r = await sql<{
    framework_key: string;
    ref: string;
    controls: number;
    implemented: number;
    partial: number;
    evidence_valid: number;
    evidence_expired: number;
    evidence_total: number;
    control_refs: string[];
    owner_ids: Array<string | null>;
  }>`
    with cov as (
      select r.framework_key, r.ref,
             count(*)::int as controls,
             (count(*) filter (where c.status = 'implemented'))::int as implemented,
             (count(*) filter (where c.status = 'partial'))::int as partial,
             array_agg(c.ref order by c.ref) as control_refs,
             array_agg(c.owner_id order by c.ref) as owner_ids
        from applied_control_requirements r
        join applied_controls c on c.org_id = r.org_id and c.id = r.control_id
       where r.org_id = ${orgId} and r.framework_key = any(${sql.val([...frameworks])}::text[])
       group by r.framework_key, r.ref
    ), ev as (
      -- Distinct evidence per requirement: an item supporting two mapped controls counts once.
      select r.framework_key, r.ref,
             count(distinct e.id)::int as total,
             (count(distinct e.id) filter (where ${evidenceState(today)} = 'valid'))::int as valid,
             (count(distinct e.id) filter (where ${evidenceState(today)} = 'expired'))::int as expired
        from applied_control_requirements r
        join evidence_controls ec on ec.org_id = r.org_id and ec.control_id = r.control_id
        join evidence e on e.org_id = ec.org_id and e.id = ec.evidence_id
       where r.org_id = ${orgId} and r.framework_key = any(${sql.val([...frameworks])}::text[])
       group by r.framework_key, r.ref
    )
    select cov.*, coalesce(ev.valid, 0) as evidence_valid, coalesce(ev.expired, 0) as evidence_expired, coalesce(ev.total, 0) as evidence_total
      from cov left join ev on ev.framework_key = cov.framework_key and ev.ref = cov.ref`.execute(tx);
  return r.rows;
}
export type CoverageRow = Awaited<ReturnType<typeof requirementCoverage>>[number];

export interface RequirementEvidence {
  id: string;
  ref: string;
  title: string;
  state: string;
  valid_until: string | null;
  kind: 'file' | 'link';
  url: string | null;
  sha256: string | null;
  media_type: string | null;
  file_name: string | null;
}

/** Evidence references (ref, title, state) per requirement, for exports and the SoA detail. */
export async function requirementEvidence(tx: Tx, orgId: string, framework: string, today: string, refs?: readonly string[]) {
  const r = await sql<{ ref: string; evidence: RequirementEvidence[] }>`
    select r.ref, json_agg(distinct jsonb_build_object('id', e.id, 'ref', e.ref, 'title', e.title, 'state', ${evidenceState(today)}, 'valid_until', e.valid_until,
             'kind', e.kind, 'url', e.url, 'sha256', e.file_sha256, 'media_type', e.media_type, 'file_name', e.file_name)) as evidence
      from applied_control_requirements r
      join evidence_controls ec on ec.org_id = r.org_id and ec.control_id = r.control_id
      join evidence e on e.org_id = ec.org_id and e.id = ec.evidence_id
     where r.org_id = ${orgId} and r.framework_key = ${framework}
       ${refs ? sql`and r.ref = any(${sql.val([...refs])}::text[])` : sql``}
     group by r.ref`.execute(tx);
  return new Map(r.rows.map((x) => [x.ref, x.evidence.sort((a, b) => a.ref.localeCompare(b.ref))]));
}
