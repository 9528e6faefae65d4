import { sql, type ColumnType, type Generated } from 'kysely';
import type { Tx } from '../../core/context.js';
import { likePattern } from '../../core/paging.js';
import type { CreatedAt, Json, Timestamp } from '../../db/types.js';
import type { RiskFilter } from './schema.js';

type DateCol = ColumnType<string | null, string | null | undefined, string | null>;
type Upd = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RiskMethodsTable {
  org_id: string;
  name: string;
  likelihood: Json<Array<{ value: number; name: string; description: string }>>;
  impact: Json<Array<{ value: number; name: string; description: string }>>;
  levels: Json<Array<{ key: string; name: string; colour: string }>>;
  matrix: Json<string[][]>;
  appetite_level: string;
  tolerance_level: string;
  version: number;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface RisksTable {
  org_id: string;
  id: string;
  ref: string;
  title: string;
  description: Generated<string>;
  threat: Generated<string>;
  vulnerability: Generated<string>;
  impact_c: Generated<boolean>;
  impact_i: Generated<boolean>;
  impact_a: Generated<boolean>;
  owner_id: string;
  status: Generated<'open' | 'closed'>;
  inherent_l: number;
  inherent_i: number;
  inherent_score: number;
  inherent_level: string;
  current_l: number;
  current_i: number;
  current_score: number;
  current_level: string;
  residual_l: number | null;
  residual_i: number | null;
  residual_score: number | null;
  residual_level: string | null;
  treatment: 'modify' | 'retain' | 'avoid' | 'share' | null;
  treatment_note: Generated<string>;
  review_due_on: DateCol;
  last_reviewed_at: Timestamp | null;
  method_version: number;
  created_at: CreatedAt;
  updated_at: Upd;
}

export interface RiskAssetsTable {
  org_id: string;
  risk_id: string;
  asset_id: string;
}

export interface RiskTasksTable {
  org_id: string;
  id: string;
  risk_id: string;
  title: string;
  control_ids: Generated<string[]>;
  owner_id: string | null;
  due_on: DateCol;
  status: Generated<'open' | 'in_progress' | 'done' | 'cancelled'>;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Upd;
}

export interface RiskAcceptancesTable {
  org_id: string;
  id: string;
  risk_id: string;
  accepted_by: string;
  accepted_at: Timestamp;
  rationale: string;
  expires_on: ColumnType<string, string, string>;
  level: string;
  score: number;
  revoked_at: Timestamp | null;
}

export interface RiskReviewsTable {
  org_id: string;
  id: string;
  risk_id: string;
  source_type: 'periodic' | 'incident' | 'audit' | 'manual';
  source_id: string | null;
  note: Generated<string>;
  opened_at: Timestamp;
  opened_by: string | null;
  completed_at: Timestamp | null;
  completed_by: string | null;
  outcome: Generated<string>;
}

export interface RiskScoreHistoryTable {
  org_id: string;
  id: string;
  risk_id: string;
  at: Timestamp;
  reason: 'created' | 'updated' | 'method_change' | 'review';
  method_version: number;
  actor_label: string;
  scores: Json<Record<string, unknown>>;
}

export interface RiskRemindersTable {
  org_id: string;
  kind: string;
  entity_id: string;
  due_on: string;
  sent_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    risk_methods: RiskMethodsTable;
    risks: RisksTable;
    risk_assets: RiskAssetsTable;
    risk_tasks: RiskTasksTable;
    risk_acceptances: RiskAcceptancesTable;
    risk_reviews: RiskReviewsTable;
    risk_score_history: RiskScoreHistoryTable;
    risk_reminders: RiskRemindersTable;
  }
}

export function selectRisks(tx: Tx) {
  return tx
    .selectFrom('risks as r')
    .innerJoin('users as u', 'u.id', 'r.owner_id')
    .select([
      'r.id', 'r.ref', 'r.title', 'r.description', 'r.threat', 'r.vulnerability', 'r.impact_c', 'r.impact_i', 'r.impact_a', 'r.owner_id', 'r.status',
      'r.inherent_l', 'r.inherent_i', 'r.inherent_score', 'r.inherent_level', 'r.current_l', 'r.current_i', 'r.current_score', 'r.current_level',
      'r.residual_l', 'r.residual_i', 'r.residual_score', 'r.residual_level', 'r.treatment', 'r.treatment_note',
      sql<string | null>`r.review_due_on::text`.as('review_due_on'),
      'r.last_reviewed_at', 'r.method_version', 'r.created_at', 'r.updated_at', 'u.display_name as owner_name',
    ]);
}
export type RiskDbRow = Awaited<ReturnType<ReturnType<typeof selectRisks>['executeTakeFirstOrThrow']>>;

/** Applies the register filters. `aboveLevels` is the set of level keys above the appetite. */
export function filterRisks<Q extends ReturnType<typeof selectRisks>>(q: Q, orgId: string, f: Partial<RiskFilter>, aboveLevels: string[]): Q {
  let out = q.where('r.org_id', '=', orgId) as Q;
  if (f.q) {
    const p = likePattern(f.q);
    out = out.where((eb) => eb.or([eb('r.title', 'ilike', p), eb('r.ref', 'ilike', p), eb('r.threat', 'ilike', p), eb('r.vulnerability', 'ilike', p), eb('r.description', 'ilike', p)])) as Q;
  }
  if (f.ownerId) out = out.where('r.owner_id', '=', f.ownerId) as Q;
  if (f.level) out = out.where('r.current_level', '=', f.level) as Q;
  if (f.treatment) out = out.where('r.treatment', '=', f.treatment) as Q;
  if (f.status) out = out.where('r.status', '=', f.status) as Q;
  if (f.assetId) {
    const assetId = f.assetId;
    out = out.where((eb) => eb.exists(eb.selectFrom('risk_assets as ra').select('ra.risk_id').whereRef('ra.org_id', '=', 'r.org_id').whereRef('ra.risk_id', '=', 'r.id').where('ra.asset_id', '=', assetId))) as Q;
  }
  if (f.controlId) {
    const c = f.controlId;
    out = out.where((eb) => eb.exists(eb.selectFrom('risk_tasks as t').select('t.id').whereRef('t.org_id', '=', 'r.org_id').whereRef('t.risk_id', '=', 'r.id').where(sql<boolean>`${c} = any(t.control_ids)`))) as Q;
  }
  if (f.aboveAppetite === 'true') out = out.where('r.current_level', 'in', aboveLevels.length ? aboveLevels : ['\u0000']) as Q;
  if (f.aboveAppetite === 'false' && aboveLevels.length) out = out.where('r.current_level', 'not in', aboveLevels) as Q;
  return out;
}

/** The latest unrevoked acceptance of each risk among `ids`. */
export async function latestAcceptances(tx: Tx, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, AcceptanceDbRow>();
  const rows = await tx
    .selectFrom('risk_acceptances as a')
    .innerJoin('users as u', 'u.id', 'a.accepted_by')
    .select(['a.id', 'a.risk_id', 'a.accepted_by', 'a.accepted_at', 'a.rationale', sql<string>`a.expires_on::text`.as('expires_on'), 'a.level', 'u.display_name'])
    .where('a.org_id', '=', orgId)
    .where('a.risk_id', 'in', [...ids])
    .where('a.revoked_at', 'is', null)
    .orderBy('a.accepted_at', 'desc')
    .execute();
  const out = new Map<string, AcceptanceDbRow>();
  for (const r of rows) if (!out.has(r.risk_id)) out.set(r.risk_id, r);
  return out;
}
export interface AcceptanceDbRow {
  id: string;
  risk_id: string;
  accepted_by: string;
  accepted_at: Date;
  rationale: string;
  expires_on: string;
  level: string;
  display_name: string;
}

export function selectTasks(tx: Tx) {
  return tx
    .selectFrom('risk_tasks as t')
    .leftJoin('users as u', 'u.id', 't.owner_id')
    .select(['t.id', 't.risk_id', 't.title', 't.control_ids', 't.owner_id', sql<string | null>`t.due_on::text`.as('due_on'), 't.status', 't.completed_at', 'u.display_name as owner_name']);
}
export type TaskDbRow = Awaited<ReturnType<ReturnType<typeof selectTasks>['executeTakeFirstOrThrow']>>;

export async function nextRef(tx: Tx, orgId: string): Promise<string> {
  const r = await sql<{ n: number }>`select coalesce(max(substring(ref from 3)::int), 0) + 1 as n from risks where org_id = ${orgId} and ref ~ '^R-[0-9]+$'`.execute(tx);
  return `R-${String(Number(r.rows[0]!.n)).padStart(3, '0')}`;
}

export async function isMember(tx: Tx, orgId: string, userId: string): Promise<boolean> {
  const m = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).where('user_id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
  return Boolean(m);
}
