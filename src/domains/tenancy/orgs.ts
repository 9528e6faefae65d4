import { sql } from 'kysely';
import { allowedActions, authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { likePattern, type PagedResult } from '../../core/paging.js';
import type { OrgKind } from '../../db/types.js';
import { TenancyErrors } from './errors.js';
import { TenancyActions } from './policy.js';
import type { OrgCreate, OrgRow } from './schema.js';

const ORG_COLUMNS = ['id', 'name', 'short_name', 'kind', 'sector', 'country', 'mfa_required', 'created_at'] as const;

type OrgDbRow = { id: string; name: string; short_name: string; kind: OrgKind; sector: string | null; country: string | null; mfa_required: boolean; created_at: Date };

function toOrgRow(ctx: Ctx, r: OrgDbRow): OrgRow {
  const own = r.id === ctx.actor.orgId;
  return {
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    kind: r.kind,
    sector: r.sector,
    country: r.country,
    mfaRequired: r.mfa_required,
    createdAt: r.created_at.toISOString(),
    actions: own ? allowedActions(ctx.actor, [TenancyActions['orgs.update']]) : [],
  };
}

/** The directory of organisations (every signed-in actor may read names and kinds). */
export async function listOrgs(ctx: Ctx, q: { q?: string | undefined; kind?: OrgKind | undefined; limit: number; offset: number }): Promise<PagedResult<OrgRow>> {
  authorize(ctx.actor, TenancyActions['orgs.read']);
  return inTx(ctx, async (tx) => {
    let base = tx.selectFrom('orgs').where('disabled_at', 'is', null).where('kind', '!=', 'platform');
    if (q.kind) base = base.where('kind', '=', q.kind);
    if (q.q) base = base.where((eb) => eb.or([eb('name', 'ilike', likePattern(q.q!)), eb('short_name', 'ilike', likePattern(q.q!))]));
    const [rows, total] = await Promise.all([
      base.select(ORG_COLUMNS).orderBy('name').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toOrgRow(ctx, r)), total: Number(total.n), limit: q.limit, offset: q.offset };
  });
}

export async function getOrg(ctx: Ctx, id: string): Promise<OrgRow> {
  authorize(ctx.actor, TenancyActions['orgs.read']);
  return inTx(ctx, async (tx) => {
    const row = await tx.selectFrom('orgs').select(ORG_COLUMNS).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
    if (!row) throw TenancyErrors.ORG_NOT_FOUND();
    return toOrgRow(ctx, row);
  });
}

/** Creates an organisation (platform administrators, the CLI and the demo loader). */
export async function createOrg(ctx: Ctx, input: OrgCreate): Promise<OrgRow> {
  authorize(ctx.actor, TenancyActions['orgs.create']);
  return inTx(ctx, async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    return insertOrg(tx, ctx, input);
  });
}

/** Inserts an org inside a system transaction (used by createOrg, bootstrap and demo). */
export async function insertOrg(tx: Tx, ctx: Ctx, input: OrgCreate | (Omit<OrgCreate, 'kind'> & { kind: OrgKind })): Promise<OrgRow> {
  const clash = await tx.selectFrom('orgs').select('id').where(sql`lower(short_name)`, '=', input.shortName.toLowerCase()).executeTakeFirst();
  if (clash) throw TenancyErrors.ORG_EXISTS(`An organisation with the short name ${input.shortName} exists`, [{ path: 'body.shortName', message: 'already taken' }]);
  const row = await tx
    .insertInto('orgs')
    .values({ id: newId(), name: input.name, short_name: input.shortName, kind: input.kind, sector: input.sector ?? null, country: input.country ?? null, created_at: ctx.clock.now() })
    .returning(ORG_COLUMNS)
    .executeTakeFirstOrThrow();
  await audit(tx, ctx, { action: 'orgs.create', entityType: 'org', entityId: row.id, after: row });
  return toOrgRow(ctx, row);
}

/** Org admins rename their org or make MFA mandatory for its members. */
export async function updateOrg(ctx: Ctx, id: string, patch: { name?: string | undefined; mfaRequired?: boolean | undefined }): Promise<OrgRow> {
  if (id !== ctx.actor.orgId) throw TenancyErrors.ORG_NOT_FOUND();
  authorize(ctx.actor, TenancyActions['orgs.update']);
  return inTx(ctx, async (tx) => {
    const before = await tx.selectFrom('orgs').select(ORG_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();
    const after = await tx
      .updateTable('orgs')
      .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.mfaRequired !== undefined ? { mfa_required: patch.mfaRequired } : {}) })
      .where('id', '=', id)
      .returning(ORG_COLUMNS)
      .executeTakeFirstOrThrow();
    await audit(tx, ctx, { action: 'orgs.update', entityType: 'org', entityId: id, before, after, details: { fields: Object.keys(patch) } });
    return toOrgRow(ctx, after);
  });
}

/** Records that `orgId` supervises or serves `relatedOrgId`. */
export async function relateOrgs(ctx: Ctx, orgId: string, kind: 'supervises' | 'serves', relatedOrgId: string): Promise<void> {
  authorize(ctx.actor, TenancyActions['orgs.relate']);
  await inTx(ctx, async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    await addRelation(tx, ctx, orgId, kind, relatedOrgId);
  });
}

export async function addRelation(tx: Tx, ctx: Ctx, orgId: string, kind: 'supervises' | 'serves', relatedOrgId: string): Promise<void> {
  const found = await tx.selectFrom('orgs').select(['id', 'kind']).where('id', 'in', [orgId, relatedOrgId]).execute();
  if (found.length !== (orgId === relatedOrgId ? 1 : 2)) throw TenancyErrors.ORG_NOT_FOUND();
  await tx.insertInto('org_relations').values({ org_id: orgId, kind, related_org_id: relatedOrgId }).onConflict((oc) => oc.doNothing()).execute();
  await audit(tx, ctx, { action: 'orgs.relate', entityType: 'org', entityId: orgId, details: { kind, relatedOrgId } });
}

/**
 * The orgs `orgId` relates to by `kind`: a regulator's supervised entities,
 * a CERT's constituency. Other domains use this to scope cross-org views.
 */
export async function relatedOrgIds(tx: Tx, orgId: string, kind: 'supervises' | 'serves'): Promise<string[]> {
  const rows = await tx.selectFrom('org_relations').select('related_org_id').where('org_id', '=', orgId).where('kind', '=', kind).execute();
  return rows.map((r) => r.related_org_id);
}

/** The orgs that relate to `orgId` by `kind`: the CERTs serving an entity, its supervisors. */
export async function orgsRelatingTo(tx: Tx, orgId: string, kind: 'supervises' | 'serves'): Promise<string[]> {
  const rows = await tx.selectFrom('org_relations').select('org_id').where('related_org_id', '=', orgId).where('kind', '=', kind).execute();
  return rows.map((r) => r.org_id);
}
