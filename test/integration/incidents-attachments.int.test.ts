import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, testApp, type TestApp } from '../helpers/app.js';
import { certWorld, fullReport, member, type CertWorld, type Member } from '../helpers/cert-world.js';
import { buildOrg } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { multipartBody } from '../helpers/multipart.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const PCAP = Buffer.concat([Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'), Buffer.alloc(64, 1)]);
const LOG = Buffer.from('2027-03-01T10:00:00Z sshd[42]: Failed password for root from 203.0.113.9\n');

describe(`incident attachments (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let w: CertWorld;
  let otherCert: Member;
  let id: string;
  let pcapId: string;
  let logId: string;

  beforeAll(async () => {
    t = await testApp({ uploadLimit: 64 * 1024 });
    w = await certWorld(t, 2);
    otherCert = await member(t, await buildOrg(t.rt, 'cert', 'Other CERT'), ['cert_duty_officer']);
  });
  afterAll(async () => t.close());

  it('the entity attaches files; submitted stages list them by sha256; its CERT downloads them safely', async () => {
    const bank = w.banks[0]!.reporter.client;
    id = (await bank.post('/api/incidents', { draft: fullReport(t.clock.now(), 1) })).json().id;
    const a = await bank.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'capture.pcap', content: PCAP }, { description: 'traffic at detection' }));
    expect(a.statusCode, a.body).toBe(201);
    pcapId = a.json().id;
    expect(a.json()).toMatchObject({ sha256: sha(PCAP), size: PCAP.length, mediaType: 'application/vnd.tcpdump.pcap', filename: 'capture.pcap', description: 'traffic at detection', removedAt: null });

    // Before anything is submitted the CERT does not even see the incident.
    expectProblem(await w.duty.client.get(`/api/incidents/${id}/attachments/${pcapId}/file`), 404, 'INCIDENT_NOT_FOUND');
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'initial' })).statusCode).toBe(200);

    const stages = (await w.duty.client.get(`/api/incidents/${id}/stages`)).json();
    expect(stages[0].snapshot.report.attachments).toEqual([{ id: pcapId, sha256: sha(PCAP), size: PCAP.length, mediaType: 'application/vnd.tcpdump.pcap', filename: 'capture.pcap', description: 'traffic at detection' }]);
    expect((await w.duty.client.get(`/api/incidents/${id}/attachments`)).json().map((x: { id: string }) => x.id)).toEqual([pcapId]);

    const dl = await w.analyst.client.get(`/api/incidents/${id}/attachments/${pcapId}/file`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(PCAP)).toBe(true);
    // Not on the allowlist: served as bytes, as an attachment, sandboxed.
    expect(dl.headers['content-type']).toBe('application/octet-stream');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="capture.pcap"; filename*=UTF-8''capture.pcap`);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(dl.headers.etag).toBe(`"${sha(PCAP)}"`);
  });

  it('a submitted stage stays immutable: later attachments and removals show only in later stages', async () => {
    const bank = w.banks[0]!.reporter.client;
    const b = await bank.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'auth.log', content: LOG, type: 'text/html' }));
    logId = b.json().id;
    expect(b.json()).toMatchObject({ mediaType: 'text/plain', sha256: sha(LOG) });
    // Not yet submitted: the CERT neither lists nor downloads it.
    expect((await w.duty.client.get(`/api/incidents/${id}/attachments`)).json().map((x: { id: string }) => x.id)).toEqual([pcapId]);
    expectProblem(await w.duty.client.get(`/api/incidents/${id}/attachments/${logId}/file`), 404, 'INCIDENT_ATTACHMENT_NOT_FOUND');

    expect((await bank.delete(`/api/incidents/${id}/attachments/${pcapId}`)).statusCode).toBe(200);
    expectProblem(await bank.delete(`/api/incidents/${id}/attachments/${pcapId}`), 404, 'INCIDENT_ATTACHMENT_NOT_FOUND');
    expect((await bank.get(`/api/incidents/${id}/attachments`)).json().map((x: { id: string }) => x.id)).toEqual([logId]);
    expect((await bank.get(`/api/incidents/${id}/attachments?removed=true`)).json()).toHaveLength(2);

    const patched = await bank.patch(`/api/incidents/${id}/draft`, { measures: 'Blocked 203.0.113.9 at the edge.' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await bank.post(`/api/incidents/${id}/stages`, { stage: 'intermediate' })).statusCode).toBe(200);

    const stages = (await w.duty.client.get(`/api/incidents/${id}/stages`)).json();
    expect(stages[0].snapshot.report.attachments.map((x: { sha256: string }) => x.sha256)).toEqual([sha(PCAP)]);
    expect(stages[1].snapshot.report.attachments.map((x: { sha256: string }) => x.sha256)).toEqual([sha(LOG)]);
    const diff = (await w.duty.client.get(`/api/incidents/${id}/diff?from=1&to=2`)).json();
    expect(diff.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'attachments[]', kind: 'added', after: expect.objectContaining({ sha256: sha(LOG) }) }),
      expect.objectContaining({ path: 'attachments[]', kind: 'removed', before: expect.objectContaining({ sha256: sha(PCAP) }) }),
    ]));
    // The removed file is still what stage 1 named: the CERT can still fetch it.
    expect((await w.duty.client.get(`/api/incidents/${id}/attachments`)).json()).toHaveLength(2);
    const old = await w.duty.client.get(`/api/incidents/${id}/attachments/${pcapId}/file`);
    expect(old.rawPayload.equals(PCAP)).toBe(true);
    const log = await w.duty.client.get(`/api/incidents/${id}/attachments/${logId}/file`);
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('another entity and another CERT get 404 on every attachment route; the CERT cannot attach', async () => {
    const other = w.banks[1]!.reporter.client;
    for (const client of [other, otherCert.client]) {
      expectProblem(await client.get(`/api/incidents/${id}/attachments`), 404, 'INCIDENT_NOT_FOUND');
      expectProblem(await client.get(`/api/incidents/${id}/attachments/${pcapId}/file`), 404, 'INCIDENT_NOT_FOUND');
      expectProblem(await client.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'x.txt', content: 'x' })), 404, 'INCIDENT_NOT_FOUND');
      expectProblem(await client.delete(`/api/incidents/${id}/attachments/${logId}`), 404, 'INCIDENT_NOT_FOUND');
    }
    // Even with its own incident id, the other entity cannot reach this entity's attachment.
    const own = (await other.post('/api/incidents', { draft: { title: 'Their own' } })).json().id;
    expectProblem(await other.get(`/api/incidents/${own}/attachments/${pcapId}/file`), 404, 'INCIDENT_ATTACHMENT_NOT_FOUND');
    // The serving CERT reads the report but does not write it.
    expectProblem(await w.duty.client.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'x.txt', content: 'x' })), 403, 'FORBIDDEN');
    expectProblem(await w.duty.client.delete(`/api/incidents/${id}/attachments/${logId}`), 403, 'FORBIDDEN');
  });

  it('bad uploads name the problem and attach nothing', async () => {
    const bank = w.banks[0]!.reporter.client;
    const before = (await bank.get(`/api/incidents/${id}/attachments?removed=true`)).json();
    expectProblem(await bank.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'big.bin', content: Buffer.alloc(70 * 1024, 2) })), 413, 'FILE_TOO_LARGE');
    const long = expectProblem(await bank.upload(`/api/incidents/${id}/attachments`, multipartBody({ name: 'x.txt', content: 'x' }, { description: 'd'.repeat(501) })), 400, 'VALIDATION_FAILED');
    expect(long.errors![0]!.path).toBe('body.description');
    expectProblem(await bank.post(`/api/incidents/${id}/attachments`, { file: 'x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await bank.get(`/api/incidents/${id}/attachments?removed=true`)).json()).toEqual(before);
    const admin = await member(t, w.banks[0]!.org, ['org_admin']);
    const audit = (await admin.client.get('/api/audit-log?action=incidents.attach')).json().items;
    expect(audit).toHaveLength(2);
    expect(audit.map((x: { details: { sha256: string } }) => x.details.sha256).sort()).toEqual([sha(PCAP), sha(LOG)].sort());
  });
});
