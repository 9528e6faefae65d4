import { sql, type RawBuilder } from 'kysely';
import { allowedActions, authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx, type Tx } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { PagedResult } from '../../core/paging.js';
import { SharingErrors } from './errors.js';
import { SharingActions } from './policy.js';
import type { SharingGroupCreate, SharingGroupRow, SharingSpec } from './schema.js';
import './tables.js';

/**
 * Sharing: the one place that decides who sees threat intelligence. The rule
 * itself is the SQL function intel_can_see() (migration 0300), which every
 * intel table's row-level security policy calls with the acting org and
 * user; this module validates sharing settings, manages sharing groups, and
 * gives services the same predicate for another viewer (who to alert).
 */

/** The stored sharing columns of an intel row. */
export interface SharingColumns {
  tlp: SharingSpec['tlp'] | null;
  recipient_orgs: string[];
  recipient_users: string[];
  sharing_groups: string[];
}

/**
 * The visibility predicate for an explicit viewer, over a table's sharing
 * columns (`prefix` selects e.g. `b_` columns of intel_matches). The same
 * SQL function the RLS policies use, so there is one rule.
 */
export function canSeeSql(viewerOrgId: string, viewerUserId: string | null, ownerColumn: string, prefix = ''): RawBuilder<boolean> {
  return sql<boolean>`intel_can_see(${viewerOrgId}::uuid, ${viewerUserId}::uuid, ${sql.ref(ownerColumn)}, ${sql.ref(`${prefix}tlp`)}, ${sql.ref(`${prefix}recipient_orgs`)}, ${sql.ref(`${prefix}recipient_users`)}, ${sql.ref(`${prefix}sharing_groups`)})`;
}

/**
 * Checks sharing settings against the TLP level and the directory and
 * returns the columns to store: AMBER+STRICT refuses sharing groups (named
 * orgs only, no further sharing); RED takes only named people; CLEAR and
 * GREEN need no recipients. Unknown orgs, people or groups the acting org
 * neither runs nor belongs to are refused.
 */
export async function resolveSharing(tx: Tx, ctx: Ctx, spec: SharingSpec): Promise<SharingColumns> {
  const orgs = [...new Set(spec.recipientOrgs)];
  const users = [...new Set(spec.recipientUsers)];
  const groups = [...new Set(spec.sharingGroups)];
  if (spec.tlp === 'amber+strict' && groups.length) throw SharingErrors.SHARING_INVALID('TLP:AMBER+STRICT goes to named organisations only, not to sharing groups', [{ path: 'sharing.sharingGroups', message: 'not allowed with amber+strict' }]);
  if (spec.tlp === 'red' && (orgs.length || groups.length)) throw SharingErrors.SHARING_INVALID('TLP:RED goes to named people only', [{ path: 'sharing.recipientOrgs', message: 'not allowed with red' }]);
  if (spec.tlp !== 'red' && users.length) throw SharingErrors.SHARING_INVALID('Named people are only for TLP:RED', [{ path: 'sharing.recipientUsers', message: 'only with red' }]);
  if (orgs.length) {
    const found = await tx.selectFrom('orgs').select('id').where('id', 'in', orgs).where('disabled_at', 'is', null).execute();
    if (found.length !== orgs.length) throw SharingErrors.SHARING_RECIPIENT_NOT_FOUND(undefined, [{ path: 'sharing.recipientOrgs', message: 'unknown organisation' }]);
  }
  if (users.length) {
    const found = await tx.selectFrom('users').select('id').where('id', 'in', users).where('disabled_at', 'is', null).execute();
    if (found.length !== users.length) throw SharingErrors.SHARING_RECIPIENT_NOT_FOUND(undefined, [{ path: 'sharing.recipientUsers', message: 'unknown person' }]);
  }
  if (groups.length) {
    const mine = await orgGroupIds(tx, ctx.actor.orgId);
    if (groups.some((g) => !mine.includes(g))) throw SharingErrors.SHARING_GROUP_NOT_FOUND(undefined, [{ path: 'sharing.sharingGroups', message: 'unknown sharing group' }]);
  }
  const broad = spec.tlp === 'clear' || spec.tlp === 'green';
  return { tlp: spec.tlp, recipient_orgs: broad ? [] : orgs, recipient_users: users, sharing_groups: broad ? [] : groups };
}

/** The sharing groups an org runs or belongs to. */
export async function orgGroupIds(tx: Tx, orgId: string): Promise<string[]> {
  const r = await sql<{ g: string[] }>`select org_sharing_groups(${orgId}::uuid) as g`.execute(tx);
  return r.rows[0]?.g ?? [];
}

/** Whether `viewer` may see a row with these sharing columns owned by `ownerOrgId` (the same SQL rule). */
export async function canSee(tx: Tx, viewer: { orgId: string; userId: string | null }, ownerOrgId: string, cols: SharingColumns): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`select intel_can_see(${viewer.orgId}::uuid, ${viewer.userId}::uuid, ${ownerOrgId}::uuid, ${cols.tlp}, ${cols.recipient_orgs}::uuid[], ${cols.recipient_users}::uuid[], ${cols.sharing_groups}::uuid[]) as ok`.execute(tx);
  return Boolean(r.rows[0]?.ok);
}

type GroupDb = { org_id: string; id: string; name: string; description: string; hide_members: boolean; created_at: Date };

async function toRow(tx: Tx, ctx: Ctx, g: GroupDb): Promise<SharingGroupRow> {
  const owner = g.org_id === ctx.actor.orgId;
  let members: SharingGroupRow['members'] = null;
  if (owner || !g.hide_members) {
    // RLS (sgm_owner / sgm_fellow) already hides members of a hiding group.
    const rows = await tx
      .selectFrom('sharing_group_members as m')
      .innerJoin('orgs as o', 'o.id', 'm.org_id')
      .select(['m.org_id', 'o.name'])
      .where('m.group_id', '=', g.id)
      .orderBy('o.name')
      .execute();
    members = rows.map((r) => ({ orgId: r.org_id, name: r.name }));
  }
  return {
    id: g.id,
    ownerOrgId: g.org_id,
    name: g.name,
    description: g.description,
    hideMembers: g.hide_members,
    members,
    createdAt: g.created_at.toISOString(),
    actions: owner ? allowedActions(ctx.actor, [SharingActions['sharing_groups.manage']]) : [],
  };
}

const COLS = ['org_id', 'id', 'name', 'description', 'hide_members', 'created_at'] as const;

/** Creates a sharing group run by the acting org, with its first members. */
export async function createSharingGroup(ctx: Ctx, input: SharingGroupCreate): Promise<SharingGroupRow> {
  authorize(ctx.actor, SharingActions['sharing_groups.manage']);
  return inTx(ctx, async (tx) => {
    const id = newId();
    const g = await tx
      .insertInto('sharing_groups')
      .values({ org_id: ctx.actor.orgId, id, name: input.name, description: input.description, hide_members: input.hideMembers, created_at: ctx.clock.now() })
      .returning(COLS)
      .executeTakeFirstOrThrow();
    await addMembers(tx, ctx, id, input.memberOrgIds);
    await audit(tx, ctx, { action: 'sharing_groups.create', entityType: 'sharing_group', entityId: id, after: { ...g, members: input.memberOrgIds } });
    return toRow(tx, ctx, g);
  });
}

async function addMembers(tx: Tx, ctx: Ctx, groupId: string, orgIds: readonly string[]): Promise<void> {
  const ids = [...new Set(orgIds)].filter((o) => o !== ctx.actor.orgId);
  if (!ids.length) return;
  const found = await tx.selectFrom('orgs').select('id').where('id', 'in', ids).where('disabled_at', 'is', null).execute();
  if (found.length !== ids.length) throw SharingErrors.SHARING_RECIPIENT_NOT_FOUND(undefined, [{ path: 'body.memberOrgIds', message: 'unknown organisation' }]);
  await tx
    .insertInto('sharing_group_members')
    .values(ids.map((o) => ({ org_id: o, group_id: groupId, owner_org_id: ctx.actor.orgId, added_at: ctx.clock.now() })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Adds and removes member orgs of a group the acting org runs. */
export async function updateSharingGroupMembers(ctx: Ctx, id: string, change: { add: string[]; remove: string[] }): Promise<SharingGroupRow> {
  authorize(ctx.actor, SharingActions['sharing_groups.manage']);
  return inTx(ctx, async (tx) => {
    const g = await tx.selectFrom('sharing_groups').select(COLS).where('org_id', '=', ctx.actor.orgId).where('id', '=', id).executeTakeFirst();
    if (!g) throw SharingErrors.SHARING_GROUP_NOT_FOUND();
    await addMembers(tx, ctx, id, change.add);
    if (change.remove.length) await tx.deleteFrom('sharing_group_members').where('owner_org_id', '=', ctx.actor.orgId).where('group_id', '=', id).where('org_id', 'in', change.remove).execute();
    await audit(tx, ctx, { action: 'sharing_groups.members', entityType: 'sharing_group', entityId: id, details: change });
    return toRow(tx, ctx, g);
  });
}

/** The groups the acting org runs or belongs to (membership hidden where the group says so). */
export async function listSharingGroups(ctx: Ctx, page: { limit: number; offset: number }): Promise<PagedResult<SharingGroupRow>> {
  authorize(ctx.actor, SharingActions['sharing_groups.read']);
  return inTx(ctx, async (tx) => {
    const base = tx.selectFrom('sharing_groups');
    const rows = await base.select(COLS).orderBy('name').limit(page.limit).offset(page.offset).execute();
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items: SharingGroupRow[] = [];
    for (const r of rows) items.push(await toRow(tx, ctx, r));
    return { items, total: Number(total.n), limit: page.limit, offset: page.offset };
  });
}

/** One group the acting org runs or belongs to; any other id is not found. */
export async function getSharingGroup(ctx: Ctx, id: string): Promise<SharingGroupRow> {
  authorize(ctx.actor, SharingActions['sharing_groups.read']);
  return inTx(ctx, async (tx) => {
    const g = await tx.selectFrom('sharing_groups').select(COLS).where('id', '=', id).executeTakeFirst();
    if (!g) throw SharingErrors.SHARING_GROUP_NOT_FOUND();
    return toRow(tx, ctx, g);
  });
}
