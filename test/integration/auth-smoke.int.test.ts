import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, Client, type TestApp } from '../helpers/app.js';
import { buildOrg, buildUser } from '../helpers/factories.js';

describe('sign-in smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => t.close());

  it('logs in, reads the session, lists members, and writes an audited change', async () => {
    const org = await buildOrg(t.rt);
    const admin = await buildUser(t.rt, org.id, ['org_admin']);
    const c = new Client(t.app);
    const login = await c.login(admin.email, admin.password);
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json().stage).toBe('active');
    const members = await c.get('/api/members');
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json().items[0].email).toBe(admin.email);
    const inv = await c.post('/api/invitations', { email: 'new.person@example.test', roles: ['staff'] });
    expect(inv.statusCode, inv.body).toBe(201);
    const log = await c.get('/api/audit-log?action=invitations');
    expect(log.json().items[0].action).toBe('invitations.create');
    const openapi = await c.get('/api/openapi.json');
    expect(openapi.statusCode).toBe(200);
    expect(openapi.json().openapi).toBe('3.1.0');
  });
});
