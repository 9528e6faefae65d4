import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fromRoot } from '../../src/core/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, HOUR, DAY } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/runtime.js';
import { Client, expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

describe(`sign-in and request hardening (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let bank: BuiltOrg;
  let broker: BuiltOrg;
  let admin: BuiltUser;
  let staff: BuiltUser;
  let otherAdmin: BuiltUser;
  beforeAll(async () => {
    t = await testApp();
    bank = await buildOrg(t.rt);
    broker = await buildOrg(t.rt);
    admin = await buildUser(t.rt, bank.id, ['org_admin']);
    staff = await buildUser(t.rt, bank.id, ['staff']);
    otherAdmin = await buildUser(t.rt, broker.id, ['org_admin']);
  });
  afterAll(async () => t.close());

  async function signedIn(user: BuiltUser): Promise<Client> {
    const c = new Client(t.app);
    const res = await c.login(user.email, user.password);
    expect(res.statusCode, res.body).toBe(200);
    return c;
  }

  it('refuses a wrong password and an unknown email alike', async () => {
    const c = new Client(t.app);
    expectProblem(await c.login(admin.email, 'not-the-password-123'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await c.login('nobody@example.test', 'not-the-password-123'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await c.get('/api/members'), 401, 'UNAUTHENTICATED');
  });

  it('locks an account after 5 failures and unlocks it after 15 minutes', async () => {
    const user = await buildUser(t.rt, bank.id, ['staff']);
    const c = new Client(t.app);
    for (let i = 0; i < 5; i++) expectProblem(await c.login(user.email, `wrong-password-${i}x`), 401, 'INVALID_CREDENTIALS');
    // Locked now, even with the right password.
    const locked = await c.login(user.email, user.password);
    expectProblem(locked, 423, 'ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    t.clock.advance(14 * MINUTE);
    expectProblem(await c.login(user.email, user.password), 423, 'ACCOUNT_LOCKED');
    t.clock.advance(MINUTE + 1000);
    const ok = await c.login(user.email, user.password);
    expect(ok.statusCode, ok.body).toBe(200);
    // The failure count started over: four more misses do not lock.
    for (let i = 0; i < 4; i++) expectProblem(await new Client(t.app).login(user.email, `wrong-again-${i}xx`), 401, 'INVALID_CREDENTIALS');
    expect((await new Client(t.app).login(user.email, user.password)).statusCode).toBe(200);
  });

  it('expires an idle session after 30 minutes', async () => {
    const c = await signedIn(staff);
    t.clock.advance(29 * MINUTE);
    expect((await c.get('/api/members')).statusCode).toBe(200);
    // The request above slid the idle timeout.
    t.clock.advance(29 * MINUTE);
    expect((await c.get('/api/members')).statusCode).toBe(200);
    t.clock.advance(31 * MINUTE);
    expectProblem(await c.get('/api/members'), 401, 'SESSION_EXPIRED');
  });

  it('expires a busy session at its absolute lifetime (12 hours)', async () => {
    const c = await signedIn(staff);
    let elapsed = 0;
    while (elapsed + 25 * MINUTE < 12 * HOUR) {
      t.clock.advance(25 * MINUTE);
      elapsed += 25 * MINUTE;
      const res = await c.get('/api/auth/session');
      expect(res.statusCode, `after ${elapsed / MINUTE} min: ${res.body}`).toBe(200);
    }
    t.clock.advance(12 * HOUR - elapsed + 1000);
    expectProblem(await c.get('/api/auth/session'), 401, 'SESSION_EXPIRED');
  });

  it('requires the CSRF token on cookie writes and refuses foreign origins', async () => {
    const c = await signedIn(admin);
    const body = JSON.stringify({ email: 'csrf.check@example.test', roles: ['staff'] });
    const base = { method: 'POST' as const, url: '/api/invitations', payload: body, remoteAddress: c.ip };
    const missing = await t.app.inject({ ...base, headers: { cookie: `mfz_session=${c.cookie}`, 'content-type': 'application/json' } });
    expectProblem(missing, 403, 'CSRF_FAILED');
    const wrong = await t.app.inject({ ...base, headers: { cookie: `mfz_session=${c.cookie}`, 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(32) } });
    expectProblem(wrong, 403, 'CSRF_FAILED');
    const foreign = await t.app.inject({
      ...base,
      headers: { cookie: `mfz_session=${c.cookie}`, 'content-type': 'application/json', 'x-csrf-token': c.csrf!, origin: 'https://evil.example' },
    });
    expectProblem(foreign, 403, 'CSRF_FAILED');
    // A foreign page cannot sign a victim in either (login CSRF).
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: admin.password }, headers: { origin: 'https://evil.example' } });
    expectProblem(login, 403, 'CSRF_FAILED');
    // Reads need no token; the right token from our own origin passes.
    expect((await t.app.inject({ method: 'GET', url: '/api/members', headers: { cookie: `mfz_session=${c.cookie}` } })).statusCode).toBe(200);
    const ok = await t.app.inject({
      ...base,
      headers: { cookie: `mfz_session=${c.cookie}`, 'content-type': 'application/json', 'x-csrf-token': c.csrf!, origin: 'http://127.0.0.1:8080' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('refuses revoked, expired and malformed API tokens', async () => {
    const c = await signedIn(admin);
    const created = (await c.post('/api/tokens', { name: 'ci', role: 'org_admin', expiresInDays: 1 })).json();
    const bearer = (token: string) => t.app.inject({ method: 'GET', url: '/api/members', headers: { authorization: `Bearer ${token}` } });
    expect((await bearer(created.token)).statusCode).toBe(200);
    expectProblem(await bearer('mfz_not-a-token'), 401, 'TOKEN_INVALID');
    expectProblem(await bearer(created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A')), 401, 'TOKEN_INVALID');
    t.clock.advance(DAY + 1000);
    expectProblem(await bearer(created.token), 401, 'TOKEN_INVALID');

    const c2 = await signedIn(admin);
    const second = (await c2.post('/api/tokens', { name: 'revoked', role: 'org_admin' })).json();
    expect((await bearer(second.token)).statusCode).toBe(200);
    expect((await c2.delete(`/api/tokens/${second.id}`)).statusCode).toBe(200);
    expectProblem(await bearer(second.token), 401, 'TOKEN_INVALID');
  });

  it('answers bad bodies with precise problems', async () => {
    const c = await signedIn(admin);
    const malformed = await c.request('POST', '/api/invitations', '{"email": "a@b.test", ');
    expectProblem(malformed, 400, 'MALFORMED_JSON');
    const huge = await c.request('POST', '/api/invitations', JSON.stringify({ email: 'big@example.test', roles: ['staff'], pad: 'x'.repeat(1_100_000) }));
    expectProblem(huge, 413, 'PAYLOAD_TOO_LARGE');
    const unknown = expectProblem(await c.post('/api/invitations', { email: 'u@example.test', roles: ['staff'], foo: 1 }), 400, 'VALIDATION_FAILED');
    expect(unknown.errors).toContainEqual({ path: 'body.foo', message: 'unknown field' });
    const badField = expectProblem(await c.post('/api/invitations', { email: 'not-an-email', roles: ['staff'] }), 400, 'VALIDATION_FAILED');
    expect(badField.errors?.map((e) => e.path)).toContain('body.email');
    const badRole = expectProblem(await c.post('/api/invitations', { email: 'r@example.test', roles: ['emperor'] }), 400, 'VALIDATION_FAILED');
    expect(badRole.errors?.[0]?.path).toMatch(/^body\.roles/);
    const text = await c.request('POST', '/api/invitations', 'email=a@b.test', { 'content-type': 'text/plain' });
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await c.request('POST', '/api/invitations', 'email=a@b.test', { 'content-type': 'application/x-www-form-urlencoded' });
    expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const badQuery = expectProblem(await c.get('/api/members?limit=100000'), 400, 'VALIDATION_FAILED');
    expect(badQuery.errors?.[0]?.path).toBe('querystring.limit');
  });

  it("answers another tenant's ids with not found", async () => {
    const mine = await signedIn(admin);
    const theirs = await signedIn(otherAdmin);
    const token = (await theirs.post('/api/tokens', { name: 'theirs', role: 'org_admin' })).json();
    const invitation = (await theirs.post('/api/invitations', { email: 'theirs.invitee@example.test', roles: ['staff'] })).json();
    expectProblem(await mine.patch(`/api/members/${otherAdmin.id}`, { roles: ['staff'] }), 404, 'MEMBER_NOT_FOUND');
    expectProblem(await mine.delete(`/api/members/${otherAdmin.id}`), 404, 'MEMBER_NOT_FOUND');
    expectProblem(await mine.delete(`/api/tokens/${token.id}`), 404, 'TOKEN_NOT_FOUND');
    expectProblem(await mine.delete(`/api/invitations/${invitation.id}`), 404, 'INVITATION_NOT_FOUND');
    expectProblem(await mine.patch(`/api/orgs/${broker.id}`, { mfaRequired: true }), 404, 'ORG_NOT_FOUND');
    expectProblem(await mine.post('/api/auth/switch-org', { orgId: broker.id }), 404, 'ORG_NOT_FOUND');
    // Nothing changed on their side.
    const still = (await theirs.get('/api/tokens')).json().items.find((x: { id: string }) => x.id === token.id);
    expect(still.revokedAt).toBeNull();
    expect((await theirs.get('/api/invitations')).json().items[0].status).toBe('pending');
  });

  it('refuses a role without the permission with FORBIDDEN', async () => {
    const c = await signedIn(staff);
    expectProblem(await c.patch(`/api/members/${admin.id}`, { roles: ['staff'] }), 403, 'FORBIDDEN');
    expectProblem(await c.post('/api/invitations', { email: 'x@example.test', roles: ['staff'] }), 403, 'FORBIDDEN');
    expectProblem(await c.get('/api/audit-log'), 403, 'FORBIDDEN');
    expectProblem(await c.get('/api/outbox'), 403, 'FORBIDDEN');
    expectProblem(await c.patch(`/api/orgs/${bank.id}`, { name: 'Renamed' }), 403, 'FORBIDDEN');
    expectProblem(await c.post('/api/orgs', { name: 'New org', shortName: 'neworg', kind: 'regulated_entity' }), 403, 'FORBIDDEN');
    expect((await c.get('/api/members')).statusCode).toBe(200);
  });

  it('rate-limits sign-in per address with retry-after', async () => {
    const c = new Client(t.app);
    for (let i = 0; i < 20; i++) expectProblem(await c.login(`ghost${i}@example.test`, 'whatever-password-1'), 401, 'INVALID_CREDENTIALS');
    const limited = await c.login(admin.email, admin.password);
    expectProblem(limited, 429, 'RATE_LIMITED');
    const retry = Number(limited.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // Another address is not affected; the same one may try again after the window.
    expect((await new Client(t.app).login(admin.email, admin.password)).statusCode).toBe(200);
    t.clock.advance(retry * 1000);
    expect((await c.login(admin.email, admin.password)).statusCode).toBe(200);
  });

  it('sends security headers and echoes the request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-1234-abcd' } });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('trace-1234-abcd');
    const problem = await t.app.inject({ method: 'GET', url: '/api/members', headers: { 'x-request-id': 'trace-5678-efgh' } });
    expect(expectProblem(problem, 401, 'UNAUTHENTICATED').requestId).toBe('trace-5678-efgh');
    expect(problem.headers['cache-control']).toBe('no-store');
    // A header that does not look like an id is replaced, not reflected.
    const odd = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': '<script>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const config = loadConfig({ MUHAFIZ_SECRET_KEY: 'x'.repeat(40) }, { publicUrl: 'https://muhafiz.example' });
    expect(config.tls).toBe(true);
    const tlsApp = await buildApp({ ...t.rt, config: { ...t.rt.config, publicUrl: config.publicUrl, tls: config.tls } });
    try {
      const secure = await tlsApp.inject({ method: 'GET', url: '/healthz' });
      expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      const cookie = (await tlsApp.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: admin.password }, remoteAddress: '10.99.0.1' })).headers['set-cookie'];
      expect(String(cookie)).toMatch(/Secure/);
      expect(String(cookie)).toMatch(/HttpOnly/);
      expect(String(cookie)).toMatch(/SameSite=Lax/);
    } finally {
      await tlsApp.close();
    }
  });

  it.runIf(existsSync(fromRoot('web/dist/index.html')))('serves the UI without a session, but no API', async () => {
    for (const url of ['/', '/index.html', '/risks/42']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
    }
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/no-such-thing' }), 401, 'UNAUTHENTICATED');
    expectProblem(await t.app.inject({ method: 'POST', url: '/risks/42', payload: {} }), 404, 'NOT_FOUND');
  });

  it('never writes passwords, tokens or cookies to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger('trace', sink);
    const app = await buildApp({ ...t.rt, log });
    try {
      const c = new Client(app);
      expectProblem(await c.login(admin.email, 'wrong-but-secret-pass-77'), 401, 'INVALID_CREDENTIALS');
      expect((await c.login(admin.email, admin.password)).statusCode).toBe(200);
      const token = (await c.post('/api/tokens', { name: 'logged', role: 'org_admin' })).json().token as string;
      await app.inject({ method: 'GET', url: '/api/members', headers: { authorization: `Bearer ${token}` } });
      await app.inject({ method: 'GET', url: '/api/members', headers: { authorization: `Bearer ${token}x` } });
      await c.post('/api/auth/password', { currentPassword: 'wrong-current-secret-88', newPassword: 'another-long-secret-99' });
      const text = lines.join('');
      expect(text).toContain('incoming request');
      for (const secret of [admin.password, 'wrong-but-secret-pass-77', token, c.cookie!, c.csrf!, 'wrong-current-secret-88', 'another-long-secret-99']) {
        expect(text.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
      }
    } finally {
      await app.close();
    }
  });
});
