import { sql } from 'kysely';
import type { Actor, Role } from '../core/access/index.js';
import { systemActor } from '../core/access/index.js';
import type { Ctx, Tx } from '../core/context.js';
import { newId } from '../core/ids.js';
import { textTable } from '../core/text-table.js';
import type { CreatedAt, OrgKind } from '../db/types.js';
import { addRelation, insertOrg } from '../domains/tenancy/orgs.js';
import { upsertMembership } from '../domains/tenancy/members.js';
import { asPlatform, insertUser } from '../domains/tenancy/users.js';
import type { Runtime } from '../server/runtime.js';
import { DEMO_CONSTITUENTS, DEMO_ORGS, DEMO_PEOPLE, DEMO_SUPERVISED, demoEmail, type DemoOrgKey } from './sector.js';

interface DemoLoadsTable {
  name: string;
  loaded_at: CreatedAt;
}
declare module '../db/types.js' {
  interface DB {
    demo_loads: DemoLoadsTable;
  }
}

export interface DemoOrg {
  key: DemoOrgKey;
  id: string;
  name: string;
  shortName: string;
  kind: OrgKind;
}

export interface DemoUser {
  id: string;
  email: string;
  displayName: string;
  org: DemoOrgKey;
  roles: readonly Role[];
}

/** What every demo extension receives: the base sector's orgs and people, and contexts to act as them. */
export interface DemoSector {
  rt: Runtime;
  orgs: Record<DemoOrgKey, DemoOrg>;
  /** Keyed by email. */
  users: Record<string, DemoUser>;
  /** The first demo user of `org` holding `role` (throws if none: the sector lists every role). */
  user(org: DemoOrgKey, role: Role): DemoUser;
  /** A service context acting as that user in their org, as if signed in: writes are audited to them. */
  actingAs(user: DemoUser): Ctx;
  /** A system context acting in `org` (for data no person would enter, e.g. imported feeds). */
  system(org: DemoOrgKey): Ctx;
}

/** One domain's demo data, loaded once after the base sector. Return a short summary line for the console. */
export type DemoExtension = (sector: DemoSector) => Promise<string | void>;

const extensions: Array<{ name: string; load: DemoExtension }> = [];

/**
 * Adds demo data for a domain (ISMS, CERT, intel...). Call it at module load
 * in the domain's `demo.ts` and import that module from src/demo/extensions.ts.
 * Each extension runs once per database, after the base sector, in
 * registration order; its name is recorded so a later run skips it. An
 * extension calls the domain's service functions with `sector.actingAs(...)`,
 * so its data is validated and audited like anything a person enters.
 */
export function registerDemoExtension(name: string, load: DemoExtension): void {
  if (extensions.some((e) => e.name === name)) throw new Error(`demo extension ${name} is registered twice`);
  extensions.push({ name, load });
}

/** The registered extensions' names, in order. */
export function demoExtensionNames(): string[] {
  return extensions.map((e) => e.name);
}

export interface DemoCredential {
  email: string;
  org: string;
  roles: readonly Role[];
  password: string;
}

export interface DemoResult {
  /** True when this run created the base sector. */
  created: boolean;
  /** Generated passwords, only when `created` (they are not stored anywhere else). */
  credentials: DemoCredential[];
  extensionsLoaded: Array<{ name: string; summary: string | null }>;
  extensionsSkipped: string[];
}

/**
 * Loads the demo sector: orgs, relations and a person for every role, each
 * with a generated password (returned once, and printed when `print`). The
 * base sector is written in one transaction and recorded in `demo_loads`, so
 * a second run does nothing but load extensions registered since.
 */
export async function loadDemo(rt: Runtime, opts: { print: boolean; write?: (text: string) => void }): Promise<DemoResult> {
  await import('./extensions.js');
  const write = opts.write ?? ((text: string) => void process.stdout.write(text));
  const { created, credentials } = await loadSector(rt);
  const sector = await readSector(rt);
  const result: DemoResult = { created, credentials, extensionsLoaded: [], extensionsSkipped: [] };
  for (const ext of extensions) {
    const key = `ext:${ext.name}`;
    if (await isLoaded(rt, key)) {
      result.extensionsSkipped.push(ext.name);
      continue;
    }
    const summary = await ext.load(sector);
    await asPlatform(rt, 'system:demo', (tx) => tx.insertInto('demo_loads').values({ name: key, loaded_at: rt.clock.now() }).onConflict((oc) => oc.doNothing()).execute());
    result.extensionsLoaded.push({ name: ext.name, summary: summary || null });
  }
  if (opts.print) write(formatDemoResult(result));
  return result;
}

async function isLoaded(rt: Runtime, name: string): Promise<boolean> {
  return asPlatform(rt, 'system:demo', async (tx) => Boolean(await tx.selectFrom('demo_loads').select('name').where('name', '=', name).executeTakeFirst()));
}

async function loadSector(rt: Runtime): Promise<{ created: boolean; credentials: DemoCredential[] }> {
  return asPlatform(rt, 'system:demo', async (tx, ctx) => {
    // The insert both claims the load and, under concurrent starts, makes the second wait and then skip.
    const claimed = await tx.insertInto('demo_loads').values({ name: 'sector', loaded_at: ctx.clock.now() }).onConflict((oc) => oc.doNothing()).returning('name').executeTakeFirst();
    if (!claimed) return { created: false, credentials: [] };
    const ids = await createOrgs(tx, ctx);
    for (const related of DEMO_SUPERVISED) await addRelation(tx, ctx, ids.regulator, 'supervises', ids[related]);
    for (const related of DEMO_CONSTITUENTS) await addRelation(tx, ctx, ids.cert, 'serves', ids[related]);
    const credentials: DemoCredential[] = [];
    for (const p of DEMO_PEOPLE) {
      const email = demoEmail(p);
      const made = await insertUser(tx, ctx, { email, displayName: p.name, ...(p.platformAdmin ? { platformAdmin: true } : {}) });
      await upsertMembership(tx, ctx, ids[p.org], made.id, [...p.roles]);
      credentials.push({ email, org: DEMO_ORGS[p.org].shortName, roles: p.roles, password: made.generatedPassword! });
    }
    return { created: true, credentials };
  });
}

async function createOrgs(tx: Tx, ctx: Ctx): Promise<Record<DemoOrgKey, string>> {
  const ids = {} as Record<DemoOrgKey, string>;
  for (const key of Object.keys(DEMO_ORGS) as DemoOrgKey[]) {
    const spec = DEMO_ORGS[key];
    if (spec.kind === 'platform') {
      ids[key] = ctx.actor.orgId;
      continue;
    }
    const org = await insertOrg(tx, ctx, { name: spec.name, shortName: spec.shortName, kind: spec.kind, sector: spec.sector });
    ids[key] = org.id;
  }
  return ids;
}

/** Reads the base sector back by its fixed short names and emails (works on any later run too). */
async function readSector(rt: Runtime): Promise<DemoSector> {
  const { orgRows, userRows } = await asPlatform(rt, 'system:demo', async (tx) => ({
    orgRows: await tx.selectFrom('orgs').select(['id', 'name', 'short_name', 'kind']).where(sql<string>`lower(short_name)`, 'in', Object.values(DEMO_ORGS).map((o) => o.shortName.toLowerCase())).execute(),
    userRows: await tx.selectFrom('users').select(['id', 'email', 'display_name']).where('email', 'in', DEMO_PEOPLE.map(demoEmail)).execute(),
  }));
  const orgs = {} as Record<DemoOrgKey, DemoOrg>;
  for (const key of Object.keys(DEMO_ORGS) as DemoOrgKey[]) {
    const spec = DEMO_ORGS[key];
    const row = spec.kind === 'platform' ? orgRows.find((o) => o.kind === 'platform') ?? (await platformRow(rt)) : orgRows.find((o) => o.short_name.toLowerCase() === spec.shortName.toLowerCase());
    if (!row) throw new Error(`demo organisation ${spec.shortName} is missing although the demo sector is recorded as loaded`);
    orgs[key] = { key, id: row.id, name: row.name, shortName: row.short_name, kind: row.kind };
  }
  const users: Record<string, DemoUser> = {};
  for (const p of DEMO_PEOPLE) {
    const email = demoEmail(p);
    const row = userRows.find((u) => u.email === email);
    if (!row) throw new Error(`demo user ${email} is missing although the demo sector is recorded as loaded`);
    users[email] = { id: row.id, email, displayName: row.display_name, org: p.org, roles: p.roles };
  }
  const ctxFor = (actor: Actor): Ctx => ({ db: rt.db, clock: rt.clock, actor, requestId: `demo-${newId()}`, ip: null });
  return {
    rt,
    orgs,
    users,
    user(org, role) {
      const u = Object.values(users).find((x) => x.org === org && x.roles.includes(role));
      if (!u) throw new Error(`the demo sector has no ${role} in ${DEMO_ORGS[org].shortName}`);
      return u;
    },
    actingAs(user) {
      const org = orgs[user.org];
      return ctxFor({ kind: 'user', userId: user.id, orgId: org.id, orgKind: org.kind, roles: user.roles, platformAdmin: user.email === demoEmail(DEMO_PEOPLE[0]!), label: user.email });
    },
    system(org) {
      return ctxFor(systemActor(orgs[org].id, orgs[org].kind, 'system:demo'));
    },
  };
}

async function platformRow(rt: Runtime) {
  return asPlatform(rt, 'system:demo', (tx) => tx.selectFrom('orgs').select(['id', 'name', 'short_name', 'kind']).where('kind', '=', 'platform').executeTakeFirst());
}

/** The console report: the credentials table (once), then what each extension did. */
export function formatDemoResult(r: DemoResult): string {
  const lines: string[] = [];
  if (r.created) {
    lines.push('', 'Demo sector loaded: the Republic of Sahil (fictional). Sign in with these accounts;', 'the passwords are shown only now and are not stored anywhere in clear text.', '');
    const rows = r.credentials.map((c) => [c.email, c.org, c.roles.join(', '), c.password]);
    lines.push(...textTable(['email', 'org', 'roles', 'password'], rows));
  } else {
    lines.push('Demo sector is already loaded; nothing to do for it (use `muhafiz users reset-password <email>` for a new password).');
  }
  for (const e of r.extensionsLoaded) lines.push(`demo ${e.name}: ${e.summary ?? 'loaded'}`);
  if (r.extensionsSkipped.length) lines.push(`demo data already present: ${r.extensionsSkipped.join(', ')}`);
  return lines.join('\n') + '\n';
}
