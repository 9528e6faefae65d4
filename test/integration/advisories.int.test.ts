import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DAY, HOUR } from '../../src/core/clock.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { certWorld, member, type CertWorld, type Member } from '../helpers/cert-world.js';
import { buildOrg, type BuiltOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';

const advisory = (audience: unknown) => ({
  title: 'Critical RCE in the core banking gateway',
  tlp: 'amber',
  severity: 'critical',
  products: [{ vendor: 'Acme', product: 'Gateway', versions: '< 4.2.1' }],
  cveIds: ['cve-2026-12345', 'CVE-2026-0001'],
  description: 'Unauthenticated remote code execution.',
  recommendedActions: 'Upgrade to 4.2.1; block the admin port at the edge.',
  indicators: [{ type: 'ipv4', value: '198.51.100.9', tlp: 'amber' }],
  audience,
});

describe(`advisories (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let outsider: Member;
  let outsiderOrg: BuiltOrg;
  beforeAll(async () => {
    t = await testApp({ sessionIdleMs: 400 * DAY, sessionMaxMs: 400 * DAY });
    w = await certWorld(t, 3);
    outsiderOrg = await buildOrg(t.rt, 'regulated_entity', 'Not served');
    outsider = await member(t, outsiderOrg, ['org_admin']);
  });
  afterAll(async () => t.close());

  it('validates CVE ids and the audience field by field', async () => {
    const bad = await w.analyst.client.post('/api/advisories', { ...advisory({ kind: 'all' }), cveIds: ['CVE-26-1'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('cveIds');
    const draft = (await w.analyst.client.post('/api/advisories', advisory({ kind: 'orgs', orgIds: [outsider.user.id] }))).json();
    const pub = await w.analyst.client.post(`/api/advisories/${draft.id}/publish`);
    expect(pub.statusCode).toBe(400);
    expect(pub.json().errors[0].path).toBe('audience.orgIds[0]');
    expect((await w.banks[0]!.reporter.client.post('/api/advisories', advisory({ kind: 'all' }))).statusCode).toBe(403);
  });

  it('publishes to the constituency, collects acknowledgements, shows progress, renders a PDF and chases the silent', async () => {
    const cert = w.analyst.client;
    const created = await cert.post('/api/advisories', advisory({ kind: 'all' }));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json().cveIds).toEqual(['CVE-2026-12345', 'CVE-2026-0001']);
    // Drafts are invisible to recipients.
    expect((await w.banks[0]!.reporter.client.get(`/api/advisories/${id}`)).statusCode).toBe(404);
    const pub = await cert.post(`/api/advisories/${id}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json().recipients).toBe(3);
    expect((await cert.post(`/api/advisories/${id}/publish`)).statusCode).toBe(409);

    // Delivered in-app and by mail.
    const bank3 = w.banks[2]!.reporter.client;
    const notes = (await bank3.get('/api/notifications')).json().items;
    expect(notes.some((n: { kind: string; link: string }) => n.kind === 'advisory.published' && n.link === `/advisories/${id}`)).toBe(true);
    const inbox = (await bank3.get('/api/advisories?acknowledged=false')).json();
    expect(inbox.items.map((a: { id: string }) => a.id)).toContain(id);
    expect(inbox.items[0].audience).toBeNull();

    // Bank 3 acknowledges: affected, remediation planned with a date.
    const ack = await bank3.post(`/api/advisories/${id}/response`, { acknowledge: true, applicability: 'affected', remediationStatus: 'in_progress', remediationDate: '2026-12-01' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json().myResponse).toMatchObject({ applicability: 'affected', remediationStatus: 'in_progress', remediationDate: '2026-12-01' });
    expect(ack.json().myResponse.acknowledgedAt).not.toBeNull();
    await w.banks[1]!.reporter.client.post(`/api/advisories/${id}/response`, { applicability: 'not_affected', remediationStatus: 'not_applicable' });

    // Others cannot see it or answer for someone else.
    expect((await outsider.client.get(`/api/advisories/${id}`)).statusCode).toBe(404);
    expect((await outsider.client.post(`/api/advisories/${id}/response`, { acknowledge: true })).statusCode).toBe(404);
    expect((await bank3.get(`/api/advisories/${id}/progress`)).statusCode).toBe(404);

    const prog = (await cert.get(`/api/advisories/${id}/progress`)).json();
    expect(prog).toMatchObject({ recipients: 3, acknowledged: 2, affected: 1, notAffected: 1, remediated: 0 });
    expect(prog.items.find((i: { orgId: string }) => i.orgId === w.banks[0]!.org.id).acknowledgedAt).toBeNull();

    const pdf = await bank3.get(`/api/advisories/${id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // Only bank 1 stayed silent: chased after 3 days, once per interval.
    t.clock.advance(2 * DAY);
    await t.rt.jobs.runDue();
    t.clock.advance(DAY + HOUR);
    await t.rt.jobs.runDue();
    t.clock.advance(HOUR);
    await t.rt.jobs.runDue();
    const reminded = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('advisory_recipients').select(['org_id', 'reminders_sent']).where('advisory_id', '=', id).execute();
    });
    const sent = Object.fromEntries(reminded.map((r) => [r.org_id, r.reminders_sent]));
    expect(sent).toEqual({ [w.banks[0]!.org.id]: 1, [w.banks[1]!.org.id]: 0, [w.banks[2]!.org.id]: 0 });
    const bank1Notes = (await w.banks[0]!.reporter.client.get('/api/notifications')).json().items;
    expect(bank1Notes.some((n: { kind: string }) => n.kind === 'advisory.reminder')).toBe(true);

    // The CERT lists and searches its advisories.
    const list = (await cert.get('/api/advisories?q=gateway&cve=cve-2026-12345&status=published')).json();
    expect(list.items.map((a: { id: string }) => a.id)).toEqual([id]);
  });
  it('delivers to a sector or to named organisations only, in-app and by mail', async () => {
    const cert = w.analyst.client;
    const [b1, b2, b3] = w.banks;
    // Banks 1 and 2 are banking, bank 3 insurance; the outsider is banking but not served.
    await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      await tx.updateTable('orgs').set({ sector: 'banking' }).where('id', 'in', [b1!.org.id, b2!.org.id, outsiderOrg.id]).execute();
      await tx.updateTable('orgs').set({ sector: 'insurance' }).where('id', '=', b3!.org.id).execute();
    });
    const seesIt = async (m: Member, id: string) => (await m.client.get(`/api/advisories/${id}`)).statusCode;

    const sectorId = (await cert.post('/api/advisories', { ...advisory({ kind: 'sector', sector: 'banking' }), title: 'Banking sector only' })).json().id as string;
    const bySector = await cert.post(`/api/advisories/${sectorId}/publish`);
    expect(bySector.statusCode, bySector.body).toBe(200);
    expect(bySector.json().recipients).toBe(2);
    expect([await seesIt(b1!.reporter, sectorId), await seesIt(b2!.reporter, sectorId), await seesIt(b3!.reporter, sectorId), await seesIt(outsider, sectorId)]).toEqual([200, 200, 404, 404]);

    const namedId = (await cert.post('/api/advisories', { ...advisory({ kind: 'orgs', orgIds: [b3!.org.id] }), title: 'Only for the insurer' })).json().id as string;
    const named = await cert.post(`/api/advisories/${namedId}/publish`);
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json().recipients).toBe(1);
    expect([await seesIt(b1!.reporter, namedId), await seesIt(b3!.reporter, namedId)]).toEqual([404, 200]);
    const prog = (await cert.get(`/api/advisories/${namedId}/progress`)).json();
    expect(prog.items.map((i: { orgId: string }) => i.orgId)).toEqual([b3!.org.id]);

    // Each recipient's members got a mail (in the outbox, no SMTP in tests); nobody else did.
    const mails = await t.rt.db.kysely.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'muhafiz_system', true)`.execute(tx);
      return tx.selectFrom('mail_outbox').select(['to_address', 'subject']).where('subject', 'like', '%Banking sector only%').execute();
    });
    expect(mails.map((m) => m.to_address).sort()).toEqual([b1!.reporter.user.email, b2!.reporter.user.email].sort());
    expect(mails[0]!.subject).toContain('TLP:AMBER');
  });
});
