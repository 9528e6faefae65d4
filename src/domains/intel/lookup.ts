import { sql } from 'kysely';
import type { z } from 'zod';
import { authorize } from '../../core/access/index.js';
import { inTx, type Ctx } from '../../core/context.js';
import { IntelErrors } from './errors.js';
import { normaliseObservable } from './normalise.js';
import { IntelActions } from './policy.js';
import type { LookupBody, LookupRow } from './schema.js';
import { loadWarningLists, warningFor } from './warning-lists.js';

/**
 * What each value matches among the observables the reader may see (STIX
 * indicators and observables of every org, and the reader's own incidents
 * and watchlists), the same value or an overlapping range; read as the
 * reader, so row-level security leaves out what it may not see. Nothing is
 * stored: this is the correlation view of values the reader is looking at
 * (an incident's observables, for the entity or the CERT handling it).
 */
export async function lookupObservables(ctx: Ctx, input: z.infer<typeof LookupBody>): Promise<LookupRow[]> {
  authorize(ctx.actor, IntelActions['intel.read']);
  const values = input.observables.map((o, i) => {
    const n = normaliseObservable(o.kind, o.value);
    if (!n) throw IntelErrors.OBSERVABLE_INVALID(`observables[${i}]: ${o.value} is not a valid ${o.kind}`, [{ path: `observables[${i}].value`, message: `not a valid ${o.kind}` }]);
    return n;
  });
  return inTx(ctx, async (tx) => {
    const lists = await loadWarningLists(tx);
    const out: LookupRow[] = [];
    for (const n of values) {
      // Each arm names the half of the split value indexes (0325) it reads; addresses and ranges
      // come from intel_observables_overlapping (0326), which reaches the GiST indexes that the
      // containment operators cannot use under row-level security. The candidates are read
      // back under the policy, which decides what is shown.
      const value = sql<boolean>`(o.source_kind = 'stix' and o.kind = ${n.kind} and o.value = ${n.value}) or (o.source_kind <> 'stix' and o.kind = ${n.kind} and o.value = ${n.value})`;
      const candidates = n.ip
        ? sql`select o.org_id, o.id from intel_observables o where ${value} union select * from intel_observables_overlapping(${n.ip}::inet)`
        : sql`select o.org_id, o.id from intel_observables o where ${value}`;
      const exclude = input.excludeRef ? sql<boolean>`o.source_ref <> ${input.excludeRef}` : sql<boolean>`true`;
      const rows = await sql<{ source_kind: string; source_ref: string; value: string; tlp: string | null; type: string | null; name: string | null }>`
        with c as (${candidates})
        select o.source_kind, o.source_ref, o.value, o.tlp, s.type, s.name
          from c
          join intel_observables o on o.org_id = c.org_id and o.id = c.id
          left join lateral (select x.type, x.name from stix_objects x where o.source_kind = 'stix' and x.stix_id = o.source_ref and x.is_latest order by x.modified desc nulls last limit 1) s on true
         where ${exclude}
         order by o.source_kind, o.source_ref
         limit 200`.execute(tx);
      const seen = new Set<string>();
      const hits = rows.rows
        .filter((r) => !seen.has(`${r.source_kind}|${r.source_ref}|${r.value}`) && seen.add(`${r.source_kind}|${r.source_ref}|${r.value}`))
        .map((r) => ({ sourceKind: r.source_kind, sourceRef: r.source_ref, value: r.value, tlp: r.tlp, object: r.type ? { id: r.source_ref, type: r.type, name: r.name } : null }));
      out.push({ kind: n.kind, value: n.value, warning: warningFor(lists, n), hits });
    }
    return out;
  });
}
