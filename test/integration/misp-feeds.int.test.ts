import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { listObjects } from '../../src/domains/intel/read.js';
import { importEvent } from '../../src/domains/misp/service.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

function event(n: number, timestamp: number, tlp: string) {
  return {
    Event: {
      uuid: `5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4b${String(n).padStart(2, '0')}`,
      info: `Scheduled event ${n}`,
      date: '2025-04-01',
      timestamp: String(timestamp),
      distribution: '1',
      Tag: [{ name: `tlp:${tlp}` }],
      Attribute: [{ uuid: `6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1d${String(n).padStart(2, '0')}`, type: 'ip-dst', category: 'Network activity', value: `51.15.30.${n}`, to_ids: true, timestamp: String(timestamp) }],
    },
  };
}

/** MISP feed sources on a schedule: the bank pulls the telecom's MISP feed from this platform over real HTTP on 127.0.0.1. */
describe(`Scheduled MISP feed pulls (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let telecom: Ctx;
  let bank: Ctx;
  let bankUser: BuiltUser;
  let otherUser: BuiltUser;
  let telecomToken: string;
  let base: string;
  let feedId: string;

  beforeAll(async () => {
    t = await testApp();
    const telecomOrg = await buildOrg(t.rt, 'service_provider');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const otherOrg = await buildOrg(t.rt, 'regulated_entity');
    const telecomUser = await buildUser(t.rt, telecomOrg.id, ['org_admin']);
    bankUser = await buildUser(t.rt, bankOrg.id, ['org_admin']);
    otherUser = await buildUser(t.rt, otherOrg.id, ['org_admin']);
    telecom = actingAs(t.rt, telecomUser, telecomOrg, ['org_admin']);
    bank = actingAs(t.rt, bankUser, bankOrg, ['org_admin']);
    telecomToken = (await createToken(telecom, { name: 'misp', role: 'org_admin' })).token;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await importEvent(telecom, event(1, 1743500000, 'green'));
    await importEvent(telecom, event(2, 1743500100, 'amber'));
  });
  afterAll(async () => t.close());

  async function bankFeeds(c: Client) {
    return (await c.get('/api/intel/feeds')).json() as Array<Record<string, unknown>>;
  }

  it('stores a schedule per MISP feed source and the scheduled job pulls only newer events, recording each run', async () => {
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const created = await c.post('/api/intel/feeds', { kind: 'misp', name: 'Telecom MISP', url: `${base}/misp/feeds/community`, secret: telecomToken, tlp: 'amber', intervalSeconds: 600 });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain(telecomToken);
    expect(created.json()).toMatchObject({ kind: 'misp', url: `${base}/misp/feeds/community/`, hasSecret: true, intervalSeconds: 600, lastRunAt: null });
    feedId = created.json().id as string;

    // Nothing runs before the poll job is due; then the job pulls the community feed (GREEN event only).
    t.clock.advance(600_000);
    await t.rt.jobs.runDue();
    let [f] = await bankFeeds(c);
    expect(f).toMatchObject({ lastStatus: 'ok', lastError: null, lastFetched: 1, lastCount: 2, totalCount: 2, cursor: '1743500000' });
    const mine = await listObjects(bank, { source: 'feed:Telecom MISP', type: undefined, tlp: undefined, includeRevoked: 'false', limit: 50, offset: 0 });
    expect(mine.items.map((i) => i.name).sort()).toEqual(['Scheduled event 1', 'ip-dst: 51.15.30.1']);
    // The bank holds its own copies; an object's own TLP marking (here the event's tlp:green) wins over the feed's TLP, which marks unmarked objects.
    const copies = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await (await import('kysely')).sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('stix_objects').select('tlp').where('org_id', '=', bank.actor.orgId).execute();
    });
    expect(copies.map((r) => r.tlp)).toEqual(['green', 'green']);

    // A newer event is published; the next scheduled run fetches it alone, the one after fetches nothing.
    await importEvent(telecom, event(3, 1743500200, 'clear'));
    t.clock.advance(601_000);
    await t.rt.jobs.runDue();
    [f] = await bankFeeds(c);
    expect(f).toMatchObject({ lastStatus: 'ok', lastFetched: 1, lastCount: 2, totalCount: 4, cursor: '1743500200' });
    t.clock.advance(601_000);
    await t.rt.jobs.runDue();
    [f] = await bankFeeds(c);
    expect(f).toMatchObject({ lastStatus: 'ok', lastFetched: 0, lastCount: 0, totalCount: 4 });
  });

  it('records a failed run with its error and keeps the cursor; a paused feed is not polled', async () => {
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const bad = await c.patch(`/api/intel/feeds/${feedId}`, { secret: 'mfz_wrong' });
    expect(bad.statusCode, bad.body).toBe(200);
    t.clock.advance(601_000);
    await t.rt.jobs.runDue();
    let [f] = await bankFeeds(c);
    expect(f).toMatchObject({ lastStatus: 'failed', lastError: expect.stringContaining('HTTP 401') as string, cursor: '1743500200', totalCount: 4 });

    const paused = await c.patch(`/api/intel/feeds/${feedId}`, { enabled: false, secret: telecomToken });
    expect(paused.json()).toMatchObject({ enabled: false });
    const lastRun = paused.json().lastRunAt as string;
    t.clock.advance(3_600_000);
    await t.rt.jobs.runDue();
    await c.login(bankUser.email, bankUser.password);
    [f] = await bankFeeds(c);
    expect(f!.lastRunAt).toBe(lastRun);

    // Run now still works on a paused feed, and succeeds again with the right token.
    const now = await c.post(`/api/intel/feeds/${feedId}/run`);
    expect(now.json()).toMatchObject({ lastStatus: 'ok', lastFetched: 0 });
  });

  it('refuses a username on a MISP feed and hides one org’s feeds from another (404)', async () => {
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const bad = await c.post('/api/intel/feeds', { kind: 'misp', name: 'x', url: `${base}/misp/feeds/community/`, username: 'u', secret: 's' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INTEL_FEED_INVALID', errors: [{ path: 'username' }] });
    const o = new Client(t.app);
    await o.login(otherUser.email, otherUser.password);
    expect(await bankFeeds(o)).toEqual([]);
    expect((await o.patch(`/api/intel/feeds/${feedId}`, { enabled: true })).statusCode).toBe(404);
    expect((await o.post(`/api/intel/feeds/${feedId}/run`)).statusCode).toBe(404);
    expect((await o.delete(`/api/intel/feeds/${feedId}`)).statusCode).toBe(404);
    expect((await c.delete(`/api/intel/feeds/${feedId}`)).statusCode).toBe(204);
    expect(await bankFeeds(c)).toEqual([]);
  });
});
