import type { Role } from '../../src/core/access/index.js';
import { addRelation } from '../../src/domains/tenancy/orgs.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';
import { Client, type TestApp } from './app.js';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from './factories.js';

export interface Member {
  user: BuiltUser;
  client: Client;
}

export interface CertWorld {
  cert: BuiltOrg;
  duty: Member;
  analyst: Member;
  banks: Array<{ org: BuiltOrg; reporter: Member }>;
}

/** A signed-in client for a new user with `roles` in `org`. */
export async function member(t: TestApp, org: BuiltOrg, roles: Role[]): Promise<Member> {
  const user = await buildUser(t.rt, org.id, roles);
  const client = new Client(t.app);
  const res = await client.login(user.email, user.password);
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  return { user, client };
}

/** Signs every member in again (sessions expire when a test moves the clock by days). */
export async function signInAgain(...members: Member[]): Promise<void> {
  for (const m of members) {
    m.client.cookie = undefined;
    m.client.csrf = undefined;
    const res = await m.client.login(m.user.email, m.user.password);
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  }
}

/** A CERT serving `bankCount` banks, with a duty officer, an analyst, a reporter per bank, and the given preset as its default regime. */
export async function certWorld(t: TestApp, bankCount: number, preset: 'dora' | 'nis2' | 'local' = 'dora'): Promise<CertWorld> {
  const cert = await buildOrg(t.rt, 'cert', 'Sector CERT');
  const banks: CertWorld['banks'] = [];
  for (let i = 0; i < bankCount; i++) {
    const org = await buildOrg(t.rt, 'regulated_entity', `Bank ${i + 1}`);
    await asPlatform(t.rt, 'test', (tx, ctx) => addRelation(tx, ctx, cert.id, 'serves', org.id));
    banks.push({ org, reporter: await member(t, org, ['isms_manager']) });
  }
  const duty = await member(t, cert, ['cert_duty_officer']);
  const analyst = await member(t, cert, ['cert_analyst']);
  const r = await duty.client.post('/api/regimes', { preset });
  if (r.statusCode !== 201) throw new Error(`install regime: ${r.body}`);
  return { cert, duty, analyst, banks };
}

/** A complete report (enough for every stage) detected `hoursAgo` before `now`. */
export function fullReport(now: Date, hoursAgo = 1, extra: Record<string, unknown> = {}) {
  const detectedAt = new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  return {
    title: 'Card payment outage after ransomware',
    summary: 'Ransomware encrypted the card switch; payments failed.',
    detectedAt,
    classifiedAt: detectedAt,
    rsitClass: 'malicious-code',
    rsitType: 'infected-system',
    severity: 'critical',
    major: true,
    criteria: { critical_services_hit: 1, customers_affected: 80000, downtime_minutes: 240 },
    affectedServices: ['card payments'],
    impactDescription: 'Card payments down for 4 hours.',
    measures: 'Isolated the switch, restored from backup.',
    rootCause: 'Phishing mail with a macro dropper.',
    observables: [
      { type: 'ipv4', value: '203.0.113.7', tlp: 'amber' },
      { type: 'sha256', value: 'A'.repeat(64), tlp: 'green' },
      { type: 'domain', value: 'Evil.Example.com', tlp: 'amber' },
    ],
    contact: { name: 'Ayla CISO', email: 'ciso@bank.example' },
    ...extra,
  };
}
