import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, DAY } from '../../src/core/clock.js';
import { sha256 } from '../../src/core/ids.js';
import { Client, expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`API tokens and invitations (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let broker: BuiltOrg;
  let admin: BuiltUser;
  let manager: BuiltUser;
  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt, 'regulated_entity', 'Anatolia Bank');
    broker = await buildOrg(t.rt, 'regulated_entity', 'Bosporus Broker');
    admin = await buildUser(t.rt, bank.id, ['org_admin']);
    manager = await buildUser(t.rt, bank.id, ['isms_manager']);
  });
  afterAll(async () => t.close());

  async function signedIn(user: { email: string; password: string }): Promise<Client> {
    const c = new Client(t.app);
    const res = await c.login(user.email, user.password);
    expect(res.statusCode, res.body).toBe(200);
    return c;
  }
  const bearer = (token: string, method: 'GET' | 'POST' = 'GET', url = '/api/members', payload?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) });


  async function tokenRow(id: string) {
    return t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    });
  }

  it('creates a token shown once, stores only its hash and prefix, and records its last use', async () => {
    const c = await signedIn(admin);
    const res = await c.post('/api/tokens', { name: 'siem', role: 'org_admin' });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created.token).toMatch(/^mfz_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(`${created.token.slice(0, 12)}…${created.token.slice(-4)}`);
    expect(created.lastUsedAt).toBeNull();
    const stored = await tokenRow(created.id);
    expect(stored.token_hash).toBe(sha256(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(12, -4));
    const listed = (await c.get('/api/tokens')).json().items.find((x: { id: string }) => x.id === created.id);
    expect(listed.token).toBeUndefined();
    expect(listed.prefix).toBe(created.prefix);

    // Bearer calls need no CSRF token and act as the token.
    expect((await bearer(created.token)).statusCode).toBe(200);
    const used = (await tokenRow(created.id)).last_used_at!;
    expect(used.toISOString()).toBe(t.clock.now().toISOString());
    const inv = await bearer(created.token, 'POST', '/api/invitations', { email: 'via.token@example.test', roles: ['staff'] });
    expect(inv.statusCode, inv.body).toBe(201);
    const entry = (await c.get(`/api/audit-log?entityId=${inv.json().id}`)).json().items[0];
    expect(entry.actor).toBe(`${admin.email} (token siem)`);
    // Last use is written at most once a minute.
    t.clock.advance(30_000);
    await bearer(created.token);
    expect((await tokenRow(created.id)).last_used_at!.toISOString()).toBe(used.toISOString());
    t.clock.advance(MINUTE);
    await bearer(created.token);
    expect((await tokenRow(created.id)).last_used_at!.toISOString()).toBe(t.clock.now().toISOString());
    // A token cannot mint tokens.
    expectProblem(await bearer(created.token, 'POST', '/api/tokens', { name: 'child', role: 'org_admin' }), 403, 'FORBIDDEN');
  });

  it('a token carries only a role its owner holds, and stops when the owner loses it', async () => {
    const m = await signedIn(manager);
    const refused = expectProblem(await m.post('/api/tokens', { name: 'escalate', role: 'org_admin' }), 403, 'TOKEN_ROLE_NOT_HELD');
    expect(refused.errors).toEqual([{ path: 'body.role', message: 'role not held' }]);
    const a = await signedIn(admin);
    expectProblem(await a.post('/api/tokens', { name: 'cert', role: 'cert_analyst' }), 403, 'TOKEN_ROLE_NOT_HELD');

    const dual = await buildUser(t.rt, bank.id, ['org_admin', 'isms_manager']);
    const d = await signedIn(dual);
    const adminToken = (await d.post('/api/tokens', { name: 'admin-scope', role: 'org_admin' })).json().token as string;
    const managerToken = (await d.post('/api/tokens', { name: 'manager-scope', role: 'isms_manager' })).json().token as string;
    // A token acts with its one role only.
    expectProblem(await bearer(managerToken, 'GET', '/api/audit-log'), 403, 'FORBIDDEN');
    expect((await bearer(adminToken, 'GET', '/api/audit-log')).statusCode).toBe(200);
    expect((await a.patch(`/api/members/${dual.id}`, { roles: ['isms_manager'] })).statusCode).toBe(200);
    expectProblem(await bearer(adminToken), 401, 'TOKEN_INVALID');
    expect((await bearer(managerToken)).statusCode).toBe(200);
    // Removed from the org: every token of theirs there stops.
    expect((await a.delete(`/api/members/${dual.id}`)).statusCode).toBe(200);
    expectProblem(await bearer(managerToken), 401, 'TOKEN_INVALID');
  });

  it('non-admins see and revoke only their own tokens; admins see all', async () => {
    const m = await signedIn(manager);
    const a = await signedIn(admin);
    const mine = (await m.post('/api/tokens', { name: 'mine', role: 'isms_manager' })).json();
    const adminsToken = (await a.post('/api/tokens', { name: 'admins', role: 'org_admin' })).json();
    const seen = (await m.get('/api/tokens')).json().items as Array<{ id: string; userId: string; actions: string[] }>;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => x.userId === manager.id)).toBe(true);
    expect(seen.find((x) => x.id === mine.id)!.actions).toEqual(['revoke']);
    const all = (await a.get('/api/tokens')).json().items as Array<{ id: string }>;
    expect(all.map((x) => x.id)).toEqual(expect.arrayContaining([mine.id, adminsToken.id]));
    expectProblem(await m.delete(`/api/tokens/${adminsToken.id}`), 404, 'TOKEN_NOT_FOUND');
    // Used (and so kept by the embedded server's lookups) before it is revoked.
    expect((await bearer(mine.token)).statusCode).toBe(200);
    expect((await bearer(mine.token)).statusCode).toBe(200);
    const revoked = await m.delete(`/api/tokens/${mine.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toBe(t.clock.now().toISOString());
    expect(revoked.json().actions).toEqual([]);
    expectProblem(await bearer(mine.token), 401, 'TOKEN_INVALID');
  });

  it('invites a newcomer by mail, enforces the password policy, and signs them in', async () => {
    const a = await signedIn(admin);
    const created = await a.post('/api/invitations', { email: 'New.Comer@Example.test', roles: ['risk_owner', 'staff'] });
    expect(created.statusCode, created.body).toBe(201);
    const { link, id } = created.json();
    expect(created.json().email).toBe('new.comer@example.test');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/invite#[A-Za-z0-9_-]{43}$/);
    const token = link.split('#')[1] as string;

    const mail = (await a.get('/api/outbox')).json().items.find((m: { to: string }) => m.to === 'new.comer@example.test');
    expect(mail.subject).toBe('You are invited to Anatolia Bank on Muhafiz');
    expect(mail.body).toContain(link);
    expect(mail.status).toBe('stored');

    const anon = new Client(t.app);
    const preview = await anon.post('/api/invitations/preview', { token });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ orgName: 'Anatolia Bank', email: 'new.comer@example.test', roles: ['risk_owner', 'staff'], userExists: false });

    const short = expectProblem(await anon.post('/api/invitations/accept', { token, displayName: 'New Comer', password: 'short-1' }), 400, 'VALIDATION_FAILED');
    expect(short.errors).toEqual([{ path: 'body.password', message: 'must be at least 12 characters' }]);
    const common = expectProblem(await anon.post('/api/invitations/accept', { token, displayName: 'New Comer', password: 'qwerty123456' }), 400, 'VALIDATION_FAILED');
    expect(common.errors?.[0]).toMatchObject({ path: 'body.password' });
    expect(common.errors?.[0]?.message).toMatch(/common/);
    const mangled = expectProblem(await anon.post('/api/invitations/accept', { token, displayName: 'New Comer', password: 'Password2024!!' }), 400, 'VALIDATION_FAILED');
    expect(mangled.errors?.[0]?.message).toMatch(/common/);
    const emailish = expectProblem(await anon.post('/api/invitations/accept', { token, displayName: 'New Comer', password: 'new.comer-is-me-1' }), 400, 'VALIDATION_FAILED');
    expect(emailish.errors?.[0]?.message).toMatch(/email/);
    expectProblem(await anon.post('/api/invitations/accept', { token, password: 'a-fine-long-passphrase' }), 400, 'VALIDATION_FAILED');
    // The failed attempts created nothing and left the invitation usable.
    expect((await anon.post('/api/invitations/preview', { token })).statusCode).toBe(200);

    const accepted = await anon.post('/api/invitations/accept', { token, displayName: 'New Comer', password: 'a-fine-long-passphrase' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toEqual({ orgId: bank.id, created: true });
    expectProblem(await anon.post('/api/invitations/preview', { token }), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await anon.post('/api/invitations/accept', { token, displayName: 'Again', password: 'a-fine-long-passphrase' }), 404, 'INVITATION_NOT_FOUND');

    const newcomer = await signedIn({ email: 'new.comer@example.test', password: 'a-fine-long-passphrase' });
    const session = (await newcomer.get('/api/auth/session')).json();
    expect(session.org.id).toBe(bank.id);
    expect(session.roles.sort()).toEqual(['risk_owner', 'staff']);
    const row = (await a.get('/api/invitations')).json().items.find((x: { id: string }) => x.id === id);
    expect(row.status).toBe('accepted');
    const actions = (await a.get('/api/audit-log?actor=new.comer')).json().items.map((r: { action: string }) => r.action);
    expect(actions).toEqual(['auth.login', 'invitations.accept', 'members.add']);
    const createdUser = (await a.get(`/api/audit-log?action=users.create&entityId=${session.user.id}`)).json().items;
    expect(createdUser).toHaveLength(1);
  });

  it('an existing user accepts while signed in as the invited email, then switches org', async () => {
    const eve = await buildUser(t.rt, broker.id, ['org_admin']);
    const a = await signedIn(admin);
    const { link } = (await a.post('/api/invitations', { email: eve.email, roles: ['internal_auditor'] })).json();
    const token = link.split('#')[1] as string;
    const anon = new Client(t.app);
    expect((await anon.post('/api/invitations/preview', { token })).json().userExists).toBe(true);
    expectProblem(await anon.post('/api/invitations/accept', { token }), 403, 'INVITATION_EMAIL_MISMATCH');
    const someoneElse = await signedIn(manager);
    expectProblem(await someoneElse.post('/api/invitations/accept', { token }), 403, 'INVITATION_EMAIL_MISMATCH');
    const e = await signedIn(eve);
    const accepted = await e.post('/api/invitations/accept', { token });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toEqual({ orgId: bank.id, created: false });
    const switched = await e.post('/api/auth/switch-org', { orgId: bank.id });
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json().roles).toEqual(['internal_auditor']);
    expect(switched.json().memberships).toHaveLength(2);
  });

  it('does not invite someone who is already a member', async () => {
    const a = await signedIn(admin);
    const dup = expectProblem(await a.post('/api/invitations', { email: manager.email.toUpperCase(), roles: ['staff'] }), 409, 'ALREADY_MEMBER');
    expect(dup.errors).toEqual([{ path: 'body.email', message: 'already a member' }]);
  });

  it('expired and revoked invitations are not found', async () => {
    const a = await signedIn(admin);
    const short = (await a.post('/api/invitations', { email: 'late@example.test', roles: ['staff'], expiresInDays: 1 })).json();
    const revoked = (await a.post('/api/invitations', { email: 'revoked@example.test', roles: ['staff'] })).json();
    expect((await a.delete(`/api/invitations/${revoked.id}`)).json().status).toBe('revoked');
    expectProblem(await a.delete(`/api/invitations/${revoked.id}`), 404, 'INVITATION_NOT_FOUND');
    const anon = new Client(t.app);
    const revokedToken = revoked.link.split('#')[1];
    expectProblem(await anon.post('/api/invitations/preview', { token: revokedToken }), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await anon.post('/api/invitations/accept', { token: revokedToken, displayName: 'R', password: 'a-fine-long-passphrase' }), 404, 'INVITATION_NOT_FOUND');
    t.clock.advance(DAY + 1000);
    const lateToken = short.link.split('#')[1];
    expectProblem(await anon.post('/api/invitations/preview', { token: lateToken }), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await anon.post('/api/invitations/accept', { token: lateToken, displayName: 'L', password: 'a-fine-long-passphrase' }), 404, 'INVITATION_NOT_FOUND');
    const a2 = await signedIn(admin);
    const rows = (await a2.get('/api/invitations?limit=100')).json().items as Array<{ id: string; status: string; actions: string[] }>;
    expect(rows.find((r) => r.id === short.id)).toMatchObject({ status: 'expired', actions: [] });
    expectProblem(await anon.post('/api/invitations/preview', { token: 'x'.repeat(43) }), 404, 'INVITATION_NOT_FOUND');
  });

  it('lists members with search, role filter and pagination, and keeps one org_admin', async () => {
    const org = await buildOrg(t.rt);
    const boss = await buildUser(t.rt, org.id, ['org_admin']);
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await buildUser(t.rt, org.id, i % 2 === 0 ? ['risk_owner'] : ['staff']));
    const b = await signedIn(boss);
    const all = (await b.get('/api/members?limit=2&offset=0')).json();
    expect(all.total).toBe(5);
    expect(all.items).toHaveLength(2);
    const rest = (await b.get('/api/members?limit=2&offset=4')).json();
    expect(rest.items).toHaveLength(1);
    const owners = (await b.get('/api/members?role=risk_owner')).json();
    expect(owners.total).toBe(2);
    expect(owners.items.every((m: { roles: string[] }) => m.roles.includes('risk_owner'))).toBe(true);
    const one = (await b.get(`/api/members?q=${encodeURIComponent(people[3]!.email.slice(0, 8).toUpperCase())}`)).json();
    expect(one.items.map((m: { userId: string }) => m.userId)).toEqual([people[3]!.id]);
    expect((await b.get('/api/members?q=%25')).json().total).toBe(0);
    const self = all.items.concat(rest.items).find((m: { userId: string }) => m.userId === boss.id);
    expect(self?.actions ?? []).toEqual([]);

    expectProblem(await b.patch(`/api/members/${boss.id}`, { roles: ['staff'] }), 409, 'LAST_ADMIN');
    expectProblem(await b.delete(`/api/members/${boss.id}`), 409, 'LAST_ADMIN');
    expect((await b.patch(`/api/members/${people[0]!.id}`, { roles: ['org_admin'] })).statusCode).toBe(200);
    expect((await b.patch(`/api/members/${boss.id}`, { roles: ['staff'] })).statusCode).toBe(200);
    const second = await signedIn(people[0]!);
    expectProblem(await second.delete(`/api/members/${people[0]!.id}`), 409, 'LAST_ADMIN');
  });
});
