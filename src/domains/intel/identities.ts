import { authorize } from '../../core/access/index.js';
import { audit } from '../../core/audit.js';
import { inTx, type Ctx } from '../../core/context.js';
import { nameId } from '../../core/ids.js';
import { IntelErrors } from './errors.js';
import { IntelActions } from './policy.js';
import './tables.js';

const ORG_IDENTITY_NS = '2d6e1f0a-8b7c-4d3e-9f2a-1b0c9d8e7f6a';

/** The STIX identity the platform uses for an org's own objects (deterministic). */
export function orgIdentityId(orgId: string): string {
  return `identity--${nameId(orgId, ORG_IDENTITY_NS)}`;
}

/**
 * Records that a STIX identity (a created_by_ref value) stands for the
 * acting org, so objects it produced are attributed to the org
 * (producer_org_id, the producer filter). An identity maps to one org only;
 * claiming another org's identity is refused. Re-attributes already stored
 * objects of the acting org.
 */
export async function claimIdentity(ctx: Ctx, identityId: string): Promise<{ identityId: string; orgId: string }> {
  authorize(ctx.actor, IntelActions['intel.import']);
  if (!/^identity--[0-9a-fA-F-]{36}$/.test(identityId)) throw IntelErrors.OBSERVABLE_INVALID('identityId must be identity--<uuid>', [{ path: 'body.identityId', message: 'identity--<uuid>' }]);
  return inTx(ctx, async (tx) => {
    const existing = await tx.selectFrom('intel_identities').select('org_id').where('identity_id', '=', identityId).executeTakeFirst();
    if (existing && existing.org_id !== ctx.actor.orgId) throw IntelErrors.STIX_OBJECT_NOT_FOUND('This identity already stands for another organisation');
    if (!existing) await tx.insertInto('intel_identities').values({ org_id: ctx.actor.orgId, identity_id: identityId }).execute();
    await tx.updateTable('stix_objects').set({ producer_org_id: ctx.actor.orgId }).where('org_id', '=', ctx.actor.orgId).where('created_by_ref', '=', identityId).execute();
    await audit(tx, ctx, { action: 'intel.identity.claim', entityType: 'stix_identity', entityId: identityId });
    return { identityId, orgId: ctx.actor.orgId };
  });
}
