import { sql } from 'kysely';
import { authorize } from '../../core/access/index.js';
import { asSystem, inTx, type Ctx } from '../../core/context.js';
import { nameId } from '../../core/ids.js';
import type { Mailer } from '../../core/mail.js';
import { IntelErrors } from './errors.js';
import { importObjects, type ImportResult } from './imports.js';
import { IntelActions } from './policy.js';
import { TLP2_IDS } from './stix-model.js';
import './tables.js';

const ANON_NS = 'b3f1a7e2-5c4d-4e8f-9a1b-2c3d4e5f6a7b';
/** Properties that name or point back to the source; stripped from an anonymised copy. */
const SOURCE_PROPERTIES = ['created_by_ref', 'external_references', 'object_marking_refs', 'granular_markings', 'x_misp_event', 'confidence'];

/**
 * A CERT re-shares an object a constituent reported, anonymised: only when
 * the reporting org allowed it on that object and the CERT serves that org.
 * The copy belongs to the CERT, carries a new id (derived, so re-sharing
 * twice changes nothing), no source properties, and TLP:GREEN, so the whole
 * community sees it while the original keeps its own TLP.
 */
export async function reshareAnonymised(ctx: Ctx, stixId: string, mailer?: Mailer): Promise<ImportResult & { id: string }> {
  authorize(ctx.actor, IntelActions['intel.import']);
  if (ctx.actor.orgKind !== 'cert' && ctx.actor.kind !== 'system') throw IntelErrors.STIX_OBJECT_NOT_FOUND();
  const source = await inTx(ctx, (tx) =>
    // The CERT may not be able to read the original (e.g. AMBER to no one):
    // a narrow system read, filtered by hand on the permission and the relation.
    asSystem(tx, ctx.actor, () =>
      tx
        .selectFrom('stix_objects as o')
        .select(['o.doc', 'o.type'])
        .where('o.stix_id', '=', stixId)
        .where('o.is_latest', '=', true)
        .where('o.allow_anonymised_reshare', '=', true)
        .where('o.revoked', '=', false)
        .where(sql<boolean>`exists (select 1 from org_relations r where r.org_id = ${ctx.actor.orgId}::uuid and r.kind = 'serves' and r.related_org_id = o.org_id)`)
        .orderBy('o.modified', 'desc')
        .executeTakeFirst(),
    ),
  );
  if (!source) throw IntelErrors.STIX_OBJECT_NOT_FOUND();
  const copy: Record<string, unknown> = { ...source.doc };
  for (const p of SOURCE_PROPERTIES) delete copy[p];
  copy.id = `${source.type}--${nameId(stixId, ANON_NS)}`;
  copy.object_marking_refs = [TLP2_IDS.green];
  const r = await importObjects(ctx, [copy], { source: 'cert-anonymised', sharing: { tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] }, mailer });
  return { ...r, id: copy.id as string };
}
