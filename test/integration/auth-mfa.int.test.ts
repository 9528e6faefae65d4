import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '../../src/domains/auth/mfa.js';
import { Client, expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { upsertMembership } from '../../src/domains/tenancy/members.js';
import { asPlatform } from '../../src/domains/tenancy/users.js';

describe(`MFA and session lifecycle (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let insurer: BuiltOrg;
  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt);
    insurer = await buildOrg(t.rt);
  });
  afterAll(async () => t.close());

  async function signedIn(user: BuiltUser): Promise<Client> {
    const c = new Client(t.app);
    const res = await c.login(user.email, user.password);
    expect(res.statusCode, res.body).toBe(200);
    return c;
  }

  /** Requests with a cookie the client no longer holds. */
  function withCookie(cookie: string, url = '/api/auth/session') {
    return t.app.inject({ method: 'GET', url, headers: { cookie: `mfz_session=${cookie}` } });
  }

  async function enrol(c: Client): Promise<{ secret: string; recoveryCodes: string[] }> {
    const start = await c.post('/api/auth/mfa/enrol');
    expect(start.statusCode, start.body).toBe(200);
    const { secret, otpauthUrl } = start.json();
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expectProblem(await c.post('/api/auth/mfa/confirm', { code: '000000' === totpAt(secret, t.clock.now()) ? '111111' : '000000' }), 401, 'MFA_CODE_INVALID');
    const before = c.cookie!;
    const confirm = await c.post('/api/auth/mfa/confirm', { code: totpAt(secret, t.clock.now()) });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().session.stage).toBe('active');
    expect(confirm.json().session.user.mfaEnabled).toBe(true);
    expect(c.cookie).not.toBe(before);
    expectProblem(await withCookie(before), 401, 'SESSION_EXPIRED');
    return { secret, recoveryCodes: confirm.json().recoveryCodes };
  }

  it('enrols TOTP, then asks for a code at sign-in; codes cannot be replayed; recovery codes work once', async () => {
    const alice = await buildUser(t.rt, bank.id, ['org_admin']);
    const c = await signedIn(alice);
    const { secret, recoveryCodes } = await enrol(c);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expectProblem(await c.post('/api/auth/mfa/enrol'), 409, 'MFA_ALREADY_ENABLED');

    // Same time step as the confirmation: that code is spent.
    const second = new Client(t.app);
    const pending = await second.login(alice.email, alice.password);
    expect(pending.json().stage).toBe('mfa_pending');
    expect(pending.json().memberships).toEqual([]);
    expect(pending.json().org).toBeNull();
    expectProblem(await second.get('/api/members'), 401, 'MFA_REQUIRED');
    expectProblem(await second.post('/api/auth/mfa/enrol'), 401, 'MFA_REQUIRED');
    expectProblem(await second.post('/api/auth/switch-org', { orgId: bank.id }), 401, 'MFA_REQUIRED');
    expectProblem(await second.post('/api/auth/mfa', { code: totpAt(secret, t.clock.now()) }), 401, 'MFA_CODE_INVALID');

    t.clock.advance(30_000);
    const code = totpAt(secret, t.clock.now());
    const pendingCookie = second.cookie!;
    const done = await second.post('/api/auth/mfa', { code });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().stage).toBe('active');
    expect(second.cookie).not.toBe(pendingCookie);
    expectProblem(await withCookie(pendingCookie), 401, 'SESSION_EXPIRED');
    expect((await second.get('/api/members')).statusCode).toBe(200);
    expectProblem(await second.post('/api/auth/mfa', { code }), 409, 'MFA_NOT_PENDING');

    // The code just used cannot sign in another session.
    const third = new Client(t.app);
    await third.login(alice.email, alice.password);
    expectProblem(await third.post('/api/auth/mfa', { code }), 401, 'MFA_CODE_INVALID');
    // A recovery code works once.
    const recovered = await third.post('/api/auth/mfa', { code: recoveryCodes[0]!.toUpperCase() });
    expect(recovered.statusCode, recovered.body).toBe(200);
    const fourth = new Client(t.app);
    await fourth.login(alice.email, alice.password);
    expectProblem(await fourth.post('/api/auth/mfa', { code: recoveryCodes[0]! }), 401, 'MFA_CODE_INVALID');
    expect((await fourth.post('/api/auth/mfa', { code: recoveryCodes[1]! })).statusCode).toBe(200);

    const log = (await c.get('/api/audit-log?action=auth.mfa')).json().items.map((r: { action: string; details: { method?: string } }) => `${r.action}:${r.details.method ?? ''}`);
    expect(log).toEqual(expect.arrayContaining(['auth.mfa_enrolled:', 'auth.mfa_verified:totp', 'auth.mfa_verified:recovery']));
  });

  it('wrong codes count towards the lockout, and signing in again with the password does not reset them', async () => {
    const mallory = await buildUser(t.rt, bank.id, ['staff']);
    const { secret } = await enrol(await signedIn(mallory));
    t.clock.advance(30_000);
    const wrong = (code: string) => (code === '123456' ? '654321' : '123456');
    const c = new Client(t.app);
    await c.login(mallory.email, mallory.password);
    for (let i = 0; i < 3; i++) expectProblem(await c.post('/api/auth/mfa', { code: wrong(totpAt(secret, t.clock.now())) }), 401, 'MFA_CODE_INVALID');
    const d = new Client(t.app);
    expect((await d.login(mallory.email, mallory.password)).json().stage).toBe('mfa_pending');
    expectProblem(await d.post('/api/auth/mfa', { code: wrong(totpAt(secret, t.clock.now())) }), 401, 'MFA_CODE_INVALID');
    expectProblem(await d.post('/api/auth/mfa', { code: wrong(totpAt(secret, t.clock.now())) }), 401, 'MFA_CODE_INVALID');
    // Five misses in all: locked, even for the right code and the right password.
    expectProblem(await d.post('/api/auth/mfa', { code: totpAt(secret, t.clock.now()) }), 423, 'ACCOUNT_LOCKED');
    expectProblem(await new Client(t.app).login(mallory.email, mallory.password), 423, 'ACCOUNT_LOCKED');
    t.clock.advance(15 * 60_000 + 1000);
    const e = new Client(t.app);
    await e.login(mallory.email, mallory.password);
    expect((await e.post('/api/auth/mfa', { code: totpAt(secret, t.clock.now()) })).json().stage).toBe('active');
  });

  it("an org's MFA requirement holds members without MFA at enrolment, including live sessions", async () => {
    const org = await buildOrg(t.rt);
    const admin = await buildUser(t.rt, org.id, ['org_admin']);
    const bob = await buildUser(t.rt, org.id, ['staff']);
    const a = await signedIn(admin);
    const bobBefore = await signedIn(bob);
    const { secret } = await enrol(a);
    t.clock.advance(30_000);
    const patched = await a.patch(`/api/orgs/${org.id}`, { mfaRequired: true });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().mfaRequired).toBe(true);

    // A session that began before the rule is held too.
    expectProblem(await bobBefore.get('/api/members'), 403, 'MFA_ENROLMENT_REQUIRED');
    const b = new Client(t.app);
    const login = await b.login(bob.email, bob.password);
    expect(login.json().stage).toBe('mfa_enrolment');
    expectProblem(await b.get('/api/members'), 403, 'MFA_ENROLMENT_REQUIRED');
    expectProblem(await b.post('/api/tokens', { name: 'x', role: 'staff' }), 403, 'MFA_ENROLMENT_REQUIRED');
    await enrol(b);
    expect((await b.get('/api/members')).statusCode).toBe(200);

    // The admin who has MFA is asked for the code as usual.
    const a2 = new Client(t.app);
    expect((await a2.login(admin.email, admin.password)).json().stage).toBe('mfa_pending');
    expect((await a2.post('/api/auth/mfa', { code: totpAt(secret, t.clock.now()) })).json().stage).toBe('active');
  });

  it('rotates the session id on login and on switching org; lists and ends sessions', async () => {
    const carol = await buildUser(t.rt, bank.id, ['staff']);
    await asPlatform(t.rt, 'test', async (tx, ctx) => upsertMembership(tx, ctx, insurer.id, carol.id, ['org_admin']));
    const c = await signedIn(carol);
    const first = c.cookie!;
    expect((await c.login(carol.email, carol.password)).statusCode).toBe(200);
    expect(c.cookie).not.toBe(first);
    expectProblem(await withCookie(first), 401, 'SESSION_EXPIRED');

    const info = (await c.get('/api/auth/session')).json();
    expect(info.memberships.map((m: { orgId: string }) => m.orgId).sort()).toEqual([bank.id, insurer.id].sort());
    const acting = info.org.id as string;
    const other = acting === bank.id ? insurer.id : bank.id;
    const beforeSwitch = c.cookie!;
    const switched = await c.post('/api/auth/switch-org', { orgId: other });
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json().org.id).toBe(other);
    expect(c.cookie).not.toBe(beforeSwitch);
    expectProblem(await withCookie(beforeSwitch), 401, 'SESSION_EXPIRED');
    const members = (await c.get('/api/members')).json();
    expect(members.items.some((m: { userId: string }) => m.userId === carol.id)).toBe(true);

    const d = await signedIn(carol);
    const sessions = (await c.get('/api/auth/sessions')).json().items as Array<{ id: string; current: boolean }>;
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const otherSession = sessions.find((s) => !s.current)!;
    expect((await c.delete(`/api/auth/sessions/${otherSession.id}`)).statusCode).toBe(200);
    expectProblem(await d.get('/api/auth/session'), 401, 'SESSION_EXPIRED');
    expectProblem(await c.delete(`/api/auth/sessions/${otherSession.id}`), 404, 'SESSION_NOT_FOUND');
  });

  it('changes the password under the policy and signs out the other sessions', async () => {
    const erin = await buildUser(t.rt, bank.id, ['staff']);
    const mine = await signedIn(erin);
    const other = await signedIn(erin);
    const weak = expectProblem(await mine.post('/api/auth/password', { currentPassword: erin.password, newPassword: 'letmein12345' }), 400, 'PASSWORD_WEAK');
    expect(weak.errors?.[0]?.path).toBe('body.newPassword');
    expectProblem(await mine.post('/api/auth/password', { currentPassword: 'not-my-password-1', newPassword: 'a brand new long passphrase' }), 401, 'INVALID_CREDENTIALS');
    const ok = await mine.post('/api/auth/password', { currentPassword: erin.password, newPassword: 'a brand new long passphrase' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await mine.get('/api/members')).statusCode).toBe(200);
    expectProblem(await other.get('/api/members'), 401, 'SESSION_EXPIRED');
    expectProblem(await new Client(t.app).login(erin.email, erin.password), 401, 'INVALID_CREDENTIALS');
    expect((await new Client(t.app).login(erin.email, 'a brand new long passphrase')).statusCode).toBe(200);
  });

  it('logs out one session, or everywhere', async () => {
    const dan = await buildUser(t.rt, bank.id, ['staff']);
    const one = await signedIn(dan);
    const two = await signedIn(dan);
    const three = await signedIn(dan);
    const oneCookie = one.cookie!;
    const out = await one.post('/api/auth/logout');
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().revoked).toBe(1);
    expect(one.cookie).toBeUndefined();
    expectProblem(await withCookie(oneCookie), 401, 'SESSION_EXPIRED');
    expect((await two.get('/api/members')).statusCode).toBe(200);
    const everywhere = await two.post('/api/auth/logout?everywhere=true');
    expect(everywhere.json().revoked).toBe(2);
    expectProblem(await three.get('/api/members'), 401, 'SESSION_EXPIRED');
    const actions = (await (await signedIn(await buildUser(t.rt, bank.id, ['org_admin']))).get(`/api/audit-log?entityId=${dan.id}&action=auth.logout`)).json().items.map((r: { action: string }) => r.action);
    expect(actions.sort()).toEqual(['auth.logout', 'auth.logout_everywhere']);
  });
});
