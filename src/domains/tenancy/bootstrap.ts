import { newId } from '../../core/ids.js';
import { audit } from '../../core/audit.js';
import { systemActor } from '../../core/access/index.js';
import { sql } from 'kysely';
import type { Ctx } from '../../core/context.js';
import { insertUser, type SystemDeps } from './users.js';
import { upsertMembership } from './members.js';

export interface BootstrapResult {
  platformOrgId: string;
  /** Set when this start created the first administrator. */
  admin?: { email: string; generatedPassword?: string };
}

/**
 * Makes sure the platform org exists, and on an empty database creates the
 * first platform administrator from MUHAFIZ_ADMIN_EMAIL / _PASSWORD, or with
 * a generated one-time password that the caller prints once.
 */
export async function bootstrap(deps: SystemDeps, admin: { email?: string | undefined; password?: string | undefined; createAdmin: boolean }): Promise<BootstrapResult> {
  return deps.db.kysely.transaction().execute(async (tx) => {
    await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
    let platform = await tx.selectFrom('orgs').select('id').where('kind', '=', 'platform').executeTakeFirst();
    const ctxFor = (orgId: string): Ctx => ({ db: deps.db, actor: systemActor(orgId, 'platform', 'system:bootstrap'), requestId: `bootstrap-${newId()}`, ip: null, clock: deps.clock });
    if (!platform) {
      const id = newId();
      await tx.insertInto('orgs').values({ id, name: 'Muhafiz platform', short_name: 'platform', kind: 'platform', created_at: deps.clock.now() }).execute();
      await audit(tx, ctxFor(id), { action: 'orgs.create', entityType: 'org', entityId: id, details: { kind: 'platform' } });
      platform = { id };
    }
    const result: BootstrapResult = { platformOrgId: platform.id };
    if (!admin.createAdmin) return result;
    const anyUser = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (anyUser) return result;
    const email = admin.email ?? 'admin@muhafiz.local';
    const ctx = ctxFor(platform.id);
    const made = await insertUser(tx, ctx, { email, displayName: 'Platform administrator', password: admin.password, platformAdmin: true });
    await upsertMembership(tx, ctx, platform.id, made.id, ['org_admin']);
    result.admin = made.generatedPassword ? { email, generatedPassword: made.generatedPassword } : { email };
    return result;
  });
}
