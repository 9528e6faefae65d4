import ipaddr from 'ipaddr.js';
import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { asSystem, inTx, type Ctx, type Tx } from '../../core/context.js';
import { IntelErrors } from './errors.js';
import { normaliseDomain, normaliseObservable, type NormalisedObservable } from './normalise.js';
import { IntelActions } from './policy.js';

interface LoadedList {
  id: string;
  kind: 'cidr' | 'domain';
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  /** The IPv4 ranges again as [network, mask] 32-bit integers: an address is tested with one AND each. */
  v4: Array<[number, number]>;
  domains: Set<string>;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit integer. */
function v4int(dotted: string): number {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** The enabled warning lists, read fresh (they are small and editable; no cache to invalidate). */
export async function loadWarningLists(tx: Tx): Promise<LoadedList[]> {
  const rows = await tx
    .selectFrom('warning_lists as l')
    .innerJoin('warning_list_entries as e', 'e.list_id', 'l.id')
    .select(['l.id', 'l.kind', 'e.value'])
    .where('l.enabled', '=', true)
    .execute();
  const lists = new Map<string, LoadedList>();
  for (const r of rows) {
    let l = lists.get(r.id);
    if (!l) lists.set(r.id, (l = { id: r.id, kind: r.kind, ranges: [], v4: [], domains: new Set() }));
    if (r.kind === 'cidr') {
      try {
        const [net, len] = ipaddr.parseCIDR(r.value);
        l.ranges.push([net, len]);
        if (net.kind() === 'ipv4') {
          const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
          l.v4.push([(v4int(net.toString()) & mask) >>> 0, mask]);
        }
      } catch {
        /* an unparsable entry flags nothing */
      }
    } else l.domains.add(r.value.toLowerCase());
  }
  return [...lists.values()];
}

/**
 * The first warning list a value is on, or null: an address inside a listed
 * range (a range observable: its network address), a domain equal to a
 * listed domain or below it, an email or URL whose host is.
 */
export function warningFor(lists: readonly LoadedList[], o: NormalisedObservable): string | null {
  if (o.kind === 'ipv4') {
    const a = v4int(o.value.split('/')[0]!);
    for (const l of lists) for (const [net, mask] of l.v4) if (((a & mask) >>> 0) === net) return l.id;
    return null;
  }
  if (o.kind === 'ipv6') {
    const addr = ipaddr.parse(o.value.split('/')[0]!);
    for (const l of lists) for (const [net, len] of l.ranges) if (net.kind() === addr.kind() && addr.match(net, len)) return l.id;
    return null;
  }
  let host: string | null = null;
  if (o.kind === 'domain') host = o.value;
  else if (o.kind === 'email') host = o.value.slice(o.value.lastIndexOf('@') + 1);
  else if (o.kind === 'url') host = new URL(o.value).hostname;
  if (!host) return null;
  // A host that is an address is checked as one (only a dotted quad or an
  // IPv6 literal can be: normaliseObservable takes no other form).
  const literal = host.replace(/^\[|\]$/g, '');
  const ip = literal.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(literal) ? normaliseObservable('ip', literal) : null;
  if (ip) return warningFor(lists, ip);
  for (const l of lists) {
    for (let h: string = host; h; h = h.includes('.') ? h.slice(h.indexOf('.') + 1) : '') if (l.domains.has(h)) return l.id;
  }
  return null;
}

export interface WarningListRow {
  id: string;
  name: string;
  kind: 'cidr' | 'domain';
  description: string;
  enabled: boolean;
  entries: string[];
}

/** Every warning list with its entries (any signed-in intel reader). */
export async function listWarningLists(ctx: Ctx): Promise<WarningListRow[]> {
  authorize(ctx.actor, IntelActions['intel.read']);
  return inTx(ctx, async (tx) => {
    const lists = await tx.selectFrom('warning_lists').selectAll().orderBy('id').execute();
    const entries = await tx.selectFrom('warning_list_entries').selectAll().orderBy('value').execute();
    return lists.map((l) => ({ ...l, entries: entries.filter((e) => e.list_id === l.id).map((e) => e.value) }));
  });
}

/** Platform administrators enable/disable a list or replace its entries (validated per kind). */
export async function updateWarningList(ctx: Ctx, id: string, patch: { enabled?: boolean | undefined; entries?: string[] | undefined }): Promise<WarningListRow> {
  authorize(ctx.actor, IntelActions['warninglists.manage']);
  return inTx(ctx, async (tx) =>
    asSystem(tx, ctx.actor, async () => {
      const l = await tx.selectFrom('warning_lists').selectAll().where('id', '=', id).executeTakeFirst();
      if (!l) throw IntelErrors.WARNING_LIST_NOT_FOUND();
      if (patch.enabled !== undefined) await tx.updateTable('warning_lists').set({ enabled: patch.enabled }).where('id', '=', id).execute();
      if (patch.entries) {
        const clean = patch.entries.map((e, i) => {
          const v = l.kind === 'cidr' ? (ipaddr.isValidCIDR(e) ? e : ipaddr.isValid(e) ? `${e}/${ipaddr.parse(e).kind() === 'ipv4' ? 32 : 128}` : null) : normaliseDomain(e);
          if (!v) throw IntelErrors.OBSERVABLE_INVALID(`entries[${i}] is not a valid ${l.kind === 'cidr' ? 'address or range' : 'domain'}`, [{ path: `body.entries[${i}]`, message: 'invalid' }]);
          return v;
        });
        await tx.deleteFrom('warning_list_entries').where('list_id', '=', id).execute();
        if (clean.length) await tx.insertInto('warning_list_entries').values([...new Set(clean)].map((value) => ({ list_id: id, value }))).execute();
      }
      await audit(tx, ctx, { action: 'warninglists.update', entityType: 'warning_list', entityId: id, details: { enabled: patch.enabled, entries: patch.entries?.length } });
      const after = await tx.selectFrom('warning_lists').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const entries = await tx.selectFrom('warning_list_entries').select('value').where('list_id', '=', id).orderBy('value').execute();
      return { ...after, entries: entries.map((e) => e.value) };
    }),
  );
}
