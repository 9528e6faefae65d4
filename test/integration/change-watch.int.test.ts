import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeWatch, pruneChangeLog, type ChangeMark } from '../../src/core/change-watch.js';
import { inTx, type Ctx } from '../../src/core/context.js';
import { importObjects } from '../../src/domains/intel/imports.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';

/** The change log (0080, 0327) as src/core/change-watch.ts reads it: per topic, from any writer, across prunes. */
describe(`change watch (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let cert: Ctx;
  const markNow = (topic: 'auth' | 'intel'): Promise<ChangeMark> => inTx(cert, (tx) => changeWatch(t.rt.db).mark(topic, tx));

  beforeAll(async () => {
    t = await testApp();
    const org = await buildOrg(t.rt, 'cert');
    const user = await buildUser(t.rt, org.id, ['cert_analyst']);
    cert = actingAs(t.rt, user, org, ['cert_analyst']);
  });
  afterAll(async () => t.close());

  it('a committed intel write changes the intel topic only', async () => {
    const intel = await markNow('intel');
    const auth = await markNow('auth');
    const w = changeWatch(t.rt.db);
    expect(await w.check(intel, 'intel')).not.toBeNull();
    await importObjects(cert, [{ type: 'indicator', spec_version: '2.1', id: 'indicator--40000000-0000-4000-8000-000000000001', created: '2025-05-01T00:00:00.000Z', modified: '2025-05-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '46.103.0.1']", pattern_type: 'stix', valid_from: '2025-05-01T00:00:00Z' }], { source: 'watch', sharing: { tlp: 'green', recipientOrgs: [], recipientUsers: [], sharingGroups: [] } });
    expect(await w.check(intel, 'intel')).toBeNull();
    expect(await w.check(auth, 'auth')).not.toBeNull();
  });

  it('a rolled-back write changes nothing; a raw UPDATE that commits does', async () => {
    const intel = await markNow('intel');
    const w = changeWatch(t.rt.db);
    await expect(
      inTx(cert, async (tx) => {
        await sql`update stix_objects set tlp = 'amber'`.execute(tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const still = await w.check(intel, 'intel');
    expect(still).not.toBeNull();
    await inTx(cert, (tx) => sql`update stix_objects set tlp = tlp`.execute(tx));
    expect(await w.check(still!, 'intel')).toBeNull();
  });

  it('a membership change is an auth change', async () => {
    const auth = await markNow('auth');
    await buildUser(t.rt, cert.actor.orgId, ['isms_manager']);
    expect(await changeWatch(t.rt.db).check(auth, 'auth')).toBeNull();
  });

  it('after a prune, marks from before are changed on PostgreSQL (new epoch); PGlite counts commits and is unaffected', async () => {
    const intel = await markNow('intel');
    expect(await pruneChangeLog(t.rt.db)).toBeGreaterThan(0);
    const after = await changeWatch(t.rt.db).check(intel, 'intel');
    if (TEST_DRIVER === 'pglite') expect(after).not.toBeNull();
    else expect(after).toBeNull();
    // A mark taken after the prune is current.
    expect(await changeWatch(t.rt.db).check(await markNow('intel'), 'intel')).not.toBeNull();
  });
});
