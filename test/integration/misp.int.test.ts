import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/core/context.js';
import { createToken } from '../../src/domains/auth/tokens.js';
import { correlateObservables } from '../../src/domains/intel/correlation.js';
import { getObject, listObjects } from '../../src/domains/intel/read.js';
import { exportEvent, importEvent } from '../../src/domains/misp/service.js';
import { Client, testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser, type BuiltUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const GREEN_EVENT = {
  Event: {
    uuid: '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
    info: 'Phishing wave against banks',
    date: '2025-04-01',
    timestamp: '1743500000',
    publish_timestamp: '1743500100',
    threat_level_id: '1',
    analysis: '2',
    distribution: '1',
    Orgc: { name: 'Telecom SOC' },
    Tag: [{ name: 'tlp:green' }, { name: 'phishing' }],
    Attribute: [
      { uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', type: 'ip-dst', category: 'Network activity', value: '51.15.20.30', to_ids: true, timestamp: '1743500000' },
      { uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2e', type: 'domain', category: 'Network activity', value: 'secure-bank-login.test', to_ids: true, timestamp: '1743500000' },
      { uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2f', type: 'md5', category: 'Payload delivery', value: 'cead3f77f6cda6ec00f57d76c9a6879f', to_ids: true, timestamp: '1743500000' },
      { uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c30', type: 'text', category: 'Other', value: 'sent from a compromised mailbox', to_ids: false, timestamp: '1743500000' },
    ],
    Object: [{ uuid: '7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', name: 'url', Attribute: [{ uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c31', type: 'url', category: 'Network activity', value: 'http://secure-bank-login.test/verify', to_ids: true, timestamp: '1743500000' }] }],
    Galaxy: [{ name: 'Threat Actor', GalaxyCluster: [{ value: 'APT-X' }] }],
  },
};
const ORG_ONLY_EVENT = {
  Event: {
    uuid: '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5c', info: 'Internal only', date: '2025-04-02', timestamp: '1743600000', distribution: '0',
    Attribute: [{ uuid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c40', type: 'ip-src', category: 'Network activity', value: '51.15.20.31', to_ids: true, timestamp: '1743600000' }],
  },
};

describe(`MISP interoperability (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let telecom: Ctx;
  let bank: Ctx;
  let bankUser: BuiltUser;
  let telecomToken: string;
  let base: string;

  beforeAll(async () => {
    t = await testApp();
    const telecomOrg = await buildOrg(t.rt, 'service_provider');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    const telecomUser = await buildUser(t.rt, telecomOrg.id, ['org_admin']);
    bankUser = await buildUser(t.rt, bankOrg.id, ['org_admin']);
    telecom = actingAs(t.rt, telecomUser, telecomOrg, ['org_admin']);
    bank = actingAs(t.rt, bankUser, bankOrg, ['org_admin']);
    telecomToken = (await createToken(telecom, { name: 'misp', role: 'org_admin' })).token;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t.close());

  it('imports a MISP event as a report with indicators, TLP from the tlp: tag, idempotently, and correlates it', async () => {
    await correlateObservables(bank, { kind: 'incident', ref: 'INC-M1' }, [{ kind: 'ipv4', value: '51.15.20.30' }]);
    const r = await importEvent(telecom, GREEN_EVENT);
    expect(r).toMatchObject({ total: 5, inserted: 5, tlp: 'green' });
    expect((await importEvent(telecom, GREEN_EVENT)).inserted).toBe(0);
    const report = await getObject(bank, 'report--5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b');
    expect(report.summary).toMatchObject({ name: 'Phishing wave against banks', tlp: 'green' });
    expect(report.object.labels).toEqual(expect.arrayContaining(['tlp:green', 'phishing', 'misp-galaxy:Threat Actor="APT-X"']));
    expect((report.object.x_misp_attributes as unknown[]).length).toBe(1);
    const ind = await getObject(bank, 'indicator--6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c31');
    expect(ind.object.pattern).toBe("[url:value = 'http://secure-bank-login.test/verify']");
    const notes = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await (await import('kysely')).sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('notifications').select('title').where('org_id', '=', bank.actor.orgId).execute();
    });
    expect(notes.map((n) => n.title)).toContain('Threat intelligence match: 51.15.20.30');
  });

  it('maps distribution "your organisation only" to a TLP no other org sees', async () => {
    expect((await importEvent(telecom, ORG_ONLY_EVENT)).tlp).toBe('amber');
    await expect(getObject(bank, 'report--5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5c')).rejects.toMatchObject({ code: 'STIX_OBJECT_NOT_FOUND' });
    await expect(exportEvent(bank, '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5c')).rejects.toMatchObject({ code: 'MISP_EVENT_NOT_FOUND' });
  });

  it('exports an event back to MISP JSON with its attributes and tlp tag', async () => {
    const { Event } = await exportEvent(bank, '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b');
    expect(Event).toMatchObject({ uuid: '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b', info: 'Phishing wave against banks', distribution: '1', threat_level_id: '1' });
    expect(Event.Tag!.map((t) => t.name)).toEqual(expect.arrayContaining(['tlp:green', 'phishing']));
    expect(Event.Attribute!.map((a) => `${a.type}=${a.value}`).sort()).toEqual(
      ['domain=secure-bank-login.test', 'ip-dst=51.15.20.30', 'md5=cead3f77f6cda6ec00f57d76c9a6879f', 'text=sent from a compromised mailbox', 'url=http://secure-bank-login.test/verify'].sort(),
    );
  });

  it('publishes a MISP feed per audience over HTTP and pulls it back as a feed source', async () => {
    const h = { authorization: `Bearer ${telecomToken}` };
    const manifest = (await (await fetch(`${base}/misp/feeds/community/manifest.json`, { headers: h })).json()) as Record<string, { info: string }>;
    expect(Object.keys(manifest)).toEqual(['5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b']);
    const all = (await (await fetch(`${base}/misp/feeds/all/manifest.json`, { headers: h })).json()) as Record<string, unknown>;
    expect(Object.keys(all).sort()).toEqual(['5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b', '5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5c']);
    const ev = (await (await fetch(`${base}/misp/feeds/community/5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b.json`, { headers: h })).json()) as { Event: { info: string } };
    expect(ev.Event.info).toBe('Phishing wave against banks');
    expect((await fetch(`${base}/misp/feeds/community/5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5c.json`, { headers: h })).status).toBe(404);
    const hashes = await (await fetch(`${base}/misp/feeds/community/hashes.csv`, { headers: h })).text();
    expect(hashes).toContain(`${createHash('md5').update('51.15.20.30').digest('hex')},5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b`);
    expect((await fetch(`${base}/misp/feeds/community/manifest.json`)).status).toBe(401);

    // A second platform org pulls the telecom's "all" feed with the telecom's token: gets both events as its own copies.
    const c = new Client(t.app);
    await c.login(bankUser.email, bankUser.password);
    const pulled = await c.post('/api/misp/feeds/pull', { url: `${base}/misp/feeds/all/`, token: telecomToken, tlp: 'amber' });
    expect(pulled.statusCode, pulled.body).toBe(200);
    expect(pulled.json()).toEqual({ events: 2, inserted: 7 });
    const mine = await listObjects(bank, { type: ['report'], tlp: undefined, source: `misp-feed:${new URL(base).host}`, includeRevoked: 'false', limit: 10, offset: 0 });
    expect(mine.items.map((i) => i.name).sort()).toEqual(['Internal only', 'Phishing wave against banks']);
  });
});
