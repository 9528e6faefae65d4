import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx, type Ctx } from '../../src/core/context.js';
import {
  annexAControlsIn, assertRefsIn, checkRefs, CSF_KEY, frameworksIn, getMappings, getRequirements, ISO27001_KEY, listAnnexAControls, listFrameworks, mappingsIn, requirementsOf, resolveRefsIn,
  unknownRefsIn,
} from '../../src/domains/catalogs/service.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { TEST_DRIVER } from '../helpers/db.js';
import { actingAs, buildOrg, buildUser } from '../helpers/factories.js';

describe(`catalogs: shipped data and the service contract (${TEST_DRIVER})`, () => {
  let t: TestApp;
  let staff: Ctx;

  beforeAll(async () => {
    t = await testApp();
    const org = await buildOrg(t.rt);
    const user = await buildUser(t.rt, org.id, ['staff']);
    staff = actingAs(t.rt, user, org, ['staff']);
  });
  afterAll(async () => t.close());

  it('ships ISO/IEC 27001:2022 and NIST CSF 2.0 in every migrated database', async () => {
    const fws = await listFrameworks(staff);
    expect(fws.map((f) => f.key)).toEqual(expect.arrayContaining([ISO27001_KEY, CSF_KEY]));
    const iso = fws.find((f) => f.key === ISO27001_KEY)!;
    expect(iso).toMatchObject({ origin: 'shipped', name: 'ISO/IEC 27001:2022', requirementCount: 138 });
  });

  it('has the 93 Annex A controls in order, 11 new, every one with all five ISO/IEC 27002 attribute types', async () => {
    const controls = await listAnnexAControls(staff);
    expect(controls).toHaveLength(93);
    expect(controls[0]).toMatchObject({ ref: 'A.5.1', title: 'Policies for information security', theme: 'organizational', parentRef: 'A.5', kind: 'control' });
    expect(controls.at(-1)).toMatchObject({ ref: 'A.8.34', theme: 'technological' });
    const byTheme = (th: string) => controls.filter((c) => c.theme === th).length;
    expect([byTheme('organizational'), byTheme('people'), byTheme('physical'), byTheme('technological')]).toEqual([37, 8, 14, 34]);
    expect(controls.filter((c) => c.isNew).map((c) => c.ref)).toEqual(['A.5.7', 'A.5.23', 'A.5.30', 'A.7.4', 'A.8.9', 'A.8.10', 'A.8.11', 'A.8.12', 'A.8.16', 'A.8.23', 'A.8.28']);
    for (const c of controls) {
      for (const type of ['control_type', 'information_security_properties', 'cybersecurity_concepts', 'operational_capabilities', 'security_domains']) {
        expect(c.attributes[type]?.length, `${c.ref} ${type}`).toBeGreaterThan(0);
      }
      expect(c.guidance.length, c.ref).toBeGreaterThan(20);
    }
    const a87 = controls.find((c) => c.ref === 'A.8.7')!;
    expect(a87).toMatchObject({
      title: 'Protection against malware',
      attributes: {
        control_type: ['preventive', 'detective', 'corrective'],
        information_security_properties: ['confidentiality', 'integrity', 'availability'],
        cybersecurity_concepts: ['protect', 'detect'],
        operational_capabilities: ['system_and_network_security', 'information_protection'],
        security_domains: ['protection', 'defence'],
      },
    });
    expect(controls.find((c) => c.ref === 'A.5.30')!.attributes).toMatchObject({ control_type: ['corrective'], information_security_properties: ['availability'], cybersecurity_concepts: ['respond'] });
  });

  it('has clauses 4.1-10.2 with their sub-clauses', async () => {
    const clauses = await getRequirements(staff, ISO27001_KEY, { kinds: ['clause'] });
    const refs = clauses.map((c) => c.ref);
    for (const r of ['4.1', '4.4', '6.1.1', '6.1.2', '6.1.3', '6.3', '7.5.1', '7.5.3', '9.2.1', '9.2.2', '9.3.1', '9.3.2', '9.3.3', '10.1', '10.2']) expect(refs).toContain(r);
    expect(clauses.find((c) => c.ref === '6.1.3')).toMatchObject({ parentRef: '6.1', depth: 2, title: 'Information security risk treatment' });
    expect(clauses.find((c) => c.ref === '10.2')).toMatchObject({ title: 'Nonconformity and corrective action' });
  });

  it('has CSF 2.0: 6 functions, 22 categories, 106 subcategories, no withdrawn CSF 1.1 entries', async () => {
    const csf = await getRequirements(staff, CSF_KEY);
    const count = (k: string) => csf.filter((r) => r.kind === k).length;
    expect([count('function'), count('category'), count('subcategory')]).toEqual([6, 22, 106]);
    const refs = new Set(csf.map((r) => r.ref));
    for (const gone of ['ID.BE', 'ID.GV', 'PR.AC', 'PR.IP', 'DE.DP', 'RS.RP', 'ID.AM-06', 'PR.DS-05']) expect(refs.has(gone), gone).toBe(false);
    expect(csf.find((r) => r.ref === 'GV.OC-01')).toMatchObject({ kind: 'subcategory', parentRef: 'GV.OC', theme: 'GV', title: 'The organizational mission is understood and informs cybersecurity risk management' });
    expect(csf.find((r) => r.ref === 'GV')).toMatchObject({ kind: 'function', title: 'Govern', parentRef: null });
  });

  it('maps CSF 2.0 to ISO/IEC 27001:2022 with the typos fixed, usable in both directions', async () => {
    const m = await getMappings(staff, CSF_KEY, ISO27001_KEY);
    expect(m.length).toBe(483);
    expect(new Set(m.filter((r) => /^[A-Z]{2}\.[A-Z]{2}-\d\d$/.test(r.fromRef)).map((r) => r.fromRef)).size).toBe(106);
    expect(m.some((r) => r.toRef === '6.11' || r.toRef === '6.13' || r.toRef === 'A.*')).toBe(false);
    expect(m.find((r) => r.fromRef === 'GV.RM-07' && r.toRef === '6.1.1')).toMatchObject({ relationship: 'intersect', note: expect.stringContaining('"6.11"') });
    expect(m.find((r) => r.fromRef === 'ID.RA-06' && r.toRef === '6.1.3')).toBeTruthy();
    // "All applicable controls" on PROTECT: the Annex A controls whose cybersecurity concept includes protect.
    const pr = m.filter((r) => r.fromRef === 'PR' && r.toRef.startsWith('A.'));
    const protect = (await listAnnexAControls(staff)).filter((c) => c.attributes.cybersecurity_concepts!.includes('protect'));
    expect(pr.map((r) => r.toRef).sort()).toEqual(protect.map((c) => c.ref).sort());
    const de = m.filter((r) => r.fromRef === 'DE.CM-01').map((r) => r.toRef);
    expect(de).toEqual(expect.arrayContaining(['A.8.16']));

    const back = await getMappings(staff, ISO27001_KEY, CSF_KEY, ['A.8.16']);
    expect(back.length).toBeGreaterThan(0);
    expect(back.every((r) => r.fromFramework === ISO27001_KEY && r.fromRef === 'A.8.16' && r.toFramework === CSF_KEY)).toBe(true);
    expect(back.map((r) => r.toRef)).toContain('DE.CM-01');
    expect(back.find((r) => r.toRef === 'DE.CM-01')!.toTitle).toMatch(/Networks and network services are monitored/);
  });

  it('offers transaction-level functions for other domains: filters, unknown refs, field-named validation', async () => {
    await inTx(staff, async (tx) => {
      expect((await frameworksIn(tx)).length).toBeGreaterThanOrEqual(2);
      expect(await annexAControlsIn(tx)).toHaveLength(93);
      const detectiveRespond = await requirementsOf(tx, ISO27001_KEY, { attr: ['control_type:detective', 'cybersecurity_concepts:respond'] });
      expect(detectiveRespond.map((r) => r.ref)).toEqual(['A.5.7', 'A.5.25', 'A.8.16']);
      expect((await requirementsOf(tx, ISO27001_KEY, { refs: ['A.8.7', '6.1.3', 'nope'] })).map((r) => r.ref)).toEqual(['6.1.3', 'A.8.7']);
      expect(await unknownRefsIn(tx, CSF_KEY, ['GV.OC-01', 'GV.OC', 'GV', 'GV.OC-99'])).toEqual(['GV.OC-99']);
      expect(await unknownRefsIn(tx, ISO27001_KEY, ['A.8.7', '6.1.3'], ['control'])).toEqual(['6.1.3']);
      expect(await resolveRefsIn(tx, ISO27001_KEY, ['a.8.7', 'A.8.7', 'A.5.1'], { field: 'body.controls', kinds: ['control'] })).toEqual(['A.8.7', 'A.5.1']);
      expect((await mappingsIn(tx, ISO27001_KEY, CSF_KEY)).length).toBe(483);
    });
    await expect(inTx(staff, (tx) => assertRefsIn(tx, ISO27001_KEY, ['A.8.7', 'A.8.35'], { field: 'body.controlIds' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'body.controlIds.1' }],
    });
    await expect(checkRefs(staff, 'no-such-framework', ['x'], { field: 'body.framework' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.framework' }] });
    await expect(getRequirements(staff, 'no-such-framework')).rejects.toMatchObject({ code: 'CATALOG_NOT_FOUND' });
  });
});
