import type { Role } from '../../src/core/access/index.js';
import type { Ctx } from '../../src/core/context.js';
import type { OrgKind } from '../../src/db/types.js';
import { insertOrg } from '../../src/domains/tenancy/orgs.js';
import { upsertMembership } from '../../src/domains/tenancy/members.js';
import { asPlatform, insertUser } from '../../src/domains/tenancy/users.js';
import type { Runtime } from '../../src/server/runtime.js';

export const PASSWORD = 'correct-horse-battery-9';

let n = 0;

export interface BuiltOrg {
  id: string;
  name: string;
  kind: OrgKind;
}

/** An organisation of the given kind. */
export async function buildOrg(rt: Runtime, kind: OrgKind = 'regulated_entity', name?: string): Promise<BuiltOrg> {
  const i = ++n;
  return asPlatform(rt, 'test', async (tx, ctx) => {
    const org = await insertOrg(tx, ctx, { name: name ?? `Test ${kind} ${i}`, shortName: `t${kind.slice(0, 6)}${i}-${Date.now() % 100000}`, kind });
    return { id: org.id, name: org.name, kind };
  });
}

export interface BuiltUser {
  id: string;
  email: string;
  password: string;
}

/** A user with a membership (roles) in `orgId`. */
export async function buildUser(rt: Runtime, orgId: string, roles: Role[] = ['org_admin'], opts: { platformAdmin?: boolean } = {}): Promise<BuiltUser> {
  const i = ++n;
  const email = `user${i}.${Date.now() % 1000000}@example.test`;
  return asPlatform(rt, 'test', async (tx, ctx) => {
    const u = await insertUser(tx, ctx, { email, displayName: `User ${i}`, password: PASSWORD, ...(opts.platformAdmin ? { platformAdmin: true } : {}) });
    await upsertMembership(tx, ctx, orgId, u.id, roles);
    return { id: u.id, email, password: PASSWORD };
  });
}

/** A service context acting as `user` in `orgId` (for service-level tests). */
export function actingAs(rt: Runtime, user: BuiltUser, org: BuiltOrg, roles: Role[]): Ctx {
  return {
    db: rt.db,
    clock: rt.clock,
    requestId: `test-${++n}`,
    ip: '127.0.0.1',
    actor: { kind: 'user', userId: user.id, orgId: org.id, orgKind: org.kind, roles, platformAdmin: false, label: user.email },
  };
}
