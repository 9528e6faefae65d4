import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importObjects } from '../../src/domains/intel/imports.js';
import { exportBundle, getObject, listObjects, objectGraph } from '../../src/domains/intel/read.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { sharedData } from '../helpers/shared-data.js';
import type { Ctx } from '../../src/core/context.js';

/**
 * The whole MITRE ATT&CK Enterprise 18.1 bundle (24,772 objects): import,
 * search, graph, export equal to the input, idempotent re-import, and
 * visibility to another org. Durations are printed, never asserted.
 */
describe(`ATT&CK Enterprise import (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let cert: Ctx;
  let bank: Ctx;
  let bundle: { objects: Array<Record<string, unknown>> };
  beforeAll(async () => {
    t = await testApp();
    const certOrg = await buildOrg(t.rt, 'cert');
    const bankOrg = await buildOrg(t.rt, 'regulated_entity');
    cert = actingAs(t.rt, await buildUser(t.rt, certOrg.id, ['cert_analyst']), certOrg, ['cert_analyst']);
    bank = actingAs(t.rt, await buildUser(t.rt, bankOrg.id, ['org_admin']), bankOrg, ['org_admin']);
    bundle = JSON.parse(readFileSync(sharedData('attack', 'enterprise-attack-18.1.json'), 'utf8')) as typeof bundle;
  });
  afterAll(async () => t.close());

  it('imports all 24,772 objects, finds techniques, exports them unchanged, and re-imports as a no-op', async () => {
    const started = performance.now();
    const progress: number[] = [];
    const r = await importObjects(cert, bundle.objects, { source: 'mitre-attack', sharing: { tlp: 'clear', recipientOrgs: [], recipientUsers: [], sharingGroups: [] }, onProgress: (p) => progress.push(p.done) });
    const importMs = performance.now() - started;
    expect(r).toMatchObject({ total: 24_772, inserted: 24_772, unchanged: 0 });
    expect(progress.length).toBeGreaterThan(10);

    // Search as another org (CLEAR: everyone sees it).
    const q = { type: ['attack-pattern'], tlp: undefined, includeRevoked: 'false' as const, limit: 10, offset: 0 };
    const techniques = await listObjects(bank, q);
    expect(techniques.total).toBe(835 - bundle.objects.filter((o) => o.type === 'attack-pattern' && o.revoked === true).length);
    const t1059 = await listObjects(bank, { ...q, q: 'T1059' });
    expect(t1059.items.map((i) => i.name)).toContain('Command and Scripting Interpreter');
    const withRevoked = await listObjects(bank, { ...q, type: undefined, includeRevoked: 'true', limit: 1 });
    expect(withRevoked.total).toBe(24_772);
    const pattern = t1059.items.find((i) => i.name === 'Command and Scripting Interpreter')!;
    const graph = await objectGraph(bank, pattern.id);
    expect(graph.edges.length).toBeGreaterThan(50);
    expect((await getObject(bank, pattern.id)).object).toEqual(bundle.objects.find((o) => o.id === pattern.id));

    const exportStarted = performance.now();
    const out = await exportBundle(bank, { includeRevoked: 'true', type: undefined, tlp: undefined }, 'bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    const exportMs = performance.now() - exportStarted;
    const exported = (JSON.parse(out.text) as { objects: Array<Record<string, unknown>> }).objects;
    expect(exported.length).toBe(24_772);
    const byId = new Map(bundle.objects.map((o) => [o.id as string, o]));
    for (const o of exported) expect(o).toEqual(byId.get(o.id as string));

    const again = performance.now();
    const r2 = await importObjects(cert, bundle.objects, { source: 'mitre-attack', sharing: { tlp: 'clear', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
    const reimportMs = performance.now() - again;
    expect(r2).toMatchObject({ inserted: 0, unchanged: 24_772 });
    const rss = process.memoryUsage().rss;
    console.log(`[${TEST_DRIVER}] ATT&CK enterprise: import ${(importMs / 1000).toFixed(1)} s, export ${(exportMs / 1000).toFixed(1)} s, re-import ${(reimportMs / 1000).toFixed(1)} s, rss ${(rss / 1048576).toFixed(0)} MiB`);
  }, 600_000);
});
