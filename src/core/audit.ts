import { sql } from 'kysely';
import type { Database } from '../db/connect.js';
import { canonicalJson } from './canonical-json.js';
import type { Ctx, Tx } from './context.js';
import { newId, sha256 } from './ids.js';

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** `domain.verb`, usually the access action, e.g. `members.invite`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Entity state before and after; only their digests are stored. */
  before?: unknown;
  after?: unknown;
  /** Non-secret context shown in the log viewer (changed fields, names). */
  details?: Record<string, unknown>;
  /** Append to another org's chain than the acting one (system work on behalf of an org). */
  orgId?: string;
}

/** sha256 over canonical JSON: how before/after states are recorded. */
export function digest(value: unknown): string | null {
  return value === undefined || value === null ? null : sha256(canonicalJson(value));
}

export interface ChainedFields {
  org_id: string;
  seq: number;
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
}

/** The hash of one record: sha256 over the previous hash and the record's canonical JSON. */
export function recordHash(r: ChainedFields): string {
  // Pick the fields by name: callers pass whole rows (with `hash` and driver
  // extras), and only these fields may feed the digest.
  const fields = {
    org_id: r.org_id,
    seq: String(r.seq),
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor_user_id: r.actor_user_id,
    actor_token_id: r.actor_token_id,
    actor_label: r.actor_label,
    action: r.action,
    entity_type: r.entity_type,
    entity_id: r.entity_id,
    before_digest: r.before_digest,
    after_digest: r.after_digest,
    details: r.details,
    request_id: r.request_id,
    ip: r.ip,
  };
  return sha256(r.prev_hash + '\n' + canonicalJson(fields));
}

/**
 * Appends one record to the org's chain inside the caller's transaction, so
 * the write and its record commit or fail together. The head row lock
 * serialises appends within one org; other orgs' chains are untouched.
 */
export async function audit(tx: Tx, ctx: Ctx, entry: AuditEntry): Promise<void> {
  const orgId = entry.orgId ?? ctx.actor.orgId;
  await sql`insert into audit_heads (org_id, seq, hash) values (${orgId}, 0, ${GENESIS_HASH}) on conflict (org_id) do nothing`.execute(tx);
  const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).where('org_id', '=', orgId).forUpdate().executeTakeFirstOrThrow();
  const at = ctx.clock.now();
  const record: ChainedFields = {
    org_id: orgId,
    seq: Number(head.seq) + 1,
    id: newId(),
    at: new Date(at.getTime()),
    actor_user_id: ctx.actor.userId,
    actor_token_id: ctx.actor.tokenId ?? null,
    actor_label: ctx.actor.label,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId ?? null,
    before_digest: digest(entry.before),
    after_digest: digest(entry.after),
    details: entry.details ?? {},
    request_id: ctx.requestId,
    ip: ctx.ip,
    prev_hash: head.hash,
  };
  const hash = recordHash(record);
  await tx
    .insertInto('audit_log')
    .values({ ...record, details: JSON.stringify(record.details), hash })
    .execute();
  await tx.updateTable('audit_heads').set({ seq: record.seq, hash }).where('org_id', '=', orgId).execute();
}

export interface VerifyProblem {
  orgId: string;
  seq: number;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  chains: number;
  records: number;
  /** The first broken link, if any. */
  problem?: VerifyProblem;
}

/**
 * Walks every org's chain in order and reports the first broken link: a
 * changed record (hash mismatch), a deleted or reordered one (sequence gap
 * or wrong previous hash), or a truncated tail (head does not match).
 * Runs as muhafiz_system so it sees every org.
 */
export async function verifyAuditLog(db: Database, onProgress?: (records: number) => void): Promise<VerifyResult> {
  return db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    const heads = await tx.selectFrom('audit_heads').selectAll().orderBy('org_id').execute();
    const orgsInLog = await tx.selectFrom('audit_log').select('org_id').distinct().execute();
    let records = 0;
    const headOrgs = new Set(heads.map((h) => h.org_id));
    for (const { org_id } of orgsInLog) {
      if (!headOrgs.has(org_id)) return { ok: false, chains: heads.length, records, problem: { orgId: org_id, seq: 0, reason: 'records exist without a chain head' } };
    }
    for (const head of heads) {
      let prev = GENESIS_HASH;
      let expected = 1;
      for (;;) {
        const rows = await tx
          .selectFrom('audit_log')
          .selectAll()
          .where('org_id', '=', head.org_id)
          .where('seq', '>=', expected)
          .orderBy('seq')
          .limit(5000)
          .execute();
        if (rows.length === 0) break;
        for (const row of rows) {
          const seq = Number(row.seq);
          const fail = (reason: string): VerifyResult => ({ ok: false, chains: heads.length, records, problem: { orgId: head.org_id, seq, reason } });
          if (seq !== expected) return fail(`record ${expected} is missing (next is ${seq}): deleted or reordered`);
          if (row.prev_hash !== prev) return fail('previous-hash link does not match: a record before it was changed, deleted or reordered');
          // The stored hash is not part of what it hashes.
          const { hash: _stored, ...fields } = row;
          const recomputed = recordHash({ ...fields, seq, details: row.details });
          if (recomputed !== row.hash) return fail('record content does not match its hash: it was modified');
          prev = row.hash;
          expected += 1;
          records += 1;
        }
        onProgress?.(records);
      }
      const last = expected - 1;
      if (last !== Number(head.seq) || prev !== head.hash) {
        return { ok: false, chains: heads.length, records, problem: { orgId: head.org_id, seq: last + 1, reason: `chain ends at ${last} but its head says ${head.seq}: records were removed from the end` } };
      }
    }
    return { ok: true, chains: heads.length, records };
  });
}
