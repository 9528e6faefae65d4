import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { importObjects } from '../../src/domains/intel/imports.js';
import { actingAs, buildOrg, buildUser, type BuiltOrg, type BuiltUser } from '../helpers/factories.js';
import { connectBrowser, signedInPage, snap, startServer, type E2eServer } from './helpers.js';

const T = '2026-02-01T00:00:00.000Z';
const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };
const uuid = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const base = (type: string, n: number, extra: Record<string, unknown>) => ({ type, spec_version: '2.1', id: `${type}--${uuid(n)}`, created: T, modified: T, ...extra });
const indicator = (n: number, name: string, value: string) => base('indicator', n, { name, pattern: `[domain-name:value = '${value}']`, pattern_type: 'stix', valid_from: T });
const rel = (n: number, type: string, source: { id: string }, target: { id: string }) => base('relationship', n, { relationship_type: type, source_ref: source.id, target_ref: target.id });

// The advisory picker's indicators: two the CERT may see, one strictly for another org.
const ALPHA = indicator(1, 'Skimmer C2 alpha', 'alpha-c2.test');
const BETA = indicator(2, 'Skimmer C2 beta', 'beta-c2.test');
const HIDDEN = indicator(3, 'Skimmer C2 hidden', 'hidden-c2.test');

// The graph: the malware's own hop is the gang and the tool; the tool leads to a mitigation
// (and to the hidden indicator, which the CERT may not see); the gang uses 85 techniques.
const MALWARE = base('malware', 10, { name: 'Skimmer family', is_family: true });
const GANG = base('intrusion-set', 11, { name: 'Card gang' });
const TOOL = base('tool', 12, { name: 'Skim tool' });
const FIX = base('course-of-action', 13, { name: 'Patch the ATMs' });
const GANG_USES_MALWARE = rel(20, 'uses', GANG, MALWARE);
const GRAPH = [
  MALWARE, GANG, TOOL, FIX, GANG_USES_MALWARE, rel(21, 'uses', MALWARE, TOOL), rel(22, 'mitigates', FIX, TOOL), rel(23, 'indicates', HIDDEN, TOOL),
  ...Array.from({ length: 85 }, (_, i) => [base('attack-pattern', 100 + i, { name: `Technique ${i + 1}` }), rel(300 + i, 'uses', GANG, { id: `attack-pattern--${uuid(100 + i)}` })]).flat(),
];

/**
 * The threat-exchange UI a CERT analyst clicks: picking STIX indicators for
 * an advisory by searching (not pasting ids), with the server's field errors
 * on the chips; expanding neighbours in an object's relationship graph.
 */
describe('advisory indicator picker and graph expansion in the browser', () => {
  let s: E2eServer;
  let browser: Browser;
  let cert: BuiltOrg;
  let analyst: BuiltUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    s = await startServer();
    browser = await connectBrowser();
    cert = await buildOrg(s.rt, 'cert', 'Sector CERT');
    const telecom = await buildOrg(s.rt, 'service_provider', 'Telecom Beta');
    const bank = await buildOrg(s.rt, 'regulated_entity', 'Bank Alpha');
    analyst = await buildUser(s.rt, cert.id, ['cert_analyst']);
    const tuser = await buildUser(s.rt, telecom.id, ['org_admin']);
    const tctx = actingAs(s.rt, tuser, telecom, ['org_admin']);
    await importObjects(tctx, [ALPHA, BETA], { source: 'telecom', sharing: { tlp: 'green', ...NONE } });
    await importObjects(tctx, [HIDDEN], { source: 'telecom', sharing: { tlp: 'amber+strict', ...NONE, recipientOrgs: [bank.id] } });
    await importObjects(actingAs(s.rt, analyst, cert, ['cert_analyst']), GRAPH, { source: 'cert', sharing: { tlp: 'clear', ...NONE } });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.close();
  });

  it('attaches indicators found by search, shows the server refusing one next to its chip, and saves the rest', async () => {
    const page = await signedInPage(browser, s.url, analyst, contexts);
    await page.getByRole('link', { name: 'Advisories', exact: true }).first().click();
    await page.getByText('Write an advisory').click();
    await page.getByLabel('Title').fill('Skimmer C2 infrastructure');
    await page.getByLabel('Description').fill('Card skimmers beacon to these hosts.');
    await page.getByLabel('Recommended actions').fill('Block them at the edge.');

    // Search lists what the CERT may see, with pattern and TLP; never the AMBER+STRICT one.
    await page.getByLabel('Find indicators').fill('Skimmer C2');
    const results = page.getByRole('list', { name: 'Matching indicators' });
    await results.getByText("[domain-name:value = 'alpha-c2.test']").waitFor();
    await expect.poll(() => results.getByRole('listitem').count()).toBe(2);
    expect(await results.getByText('TLP:GREEN').count()).toBe(2);
    expect(await results.getByText('Skimmer C2 hidden').count()).toBe(0);
    await page.getByRole('button', { name: 'Add Skimmer C2 alpha' }).click();
    await page.getByRole('button', { name: 'Add Skimmer C2 beta' }).click();
    const chips = page.getByRole('list', { name: 'Attached indicators' });
    await expect.poll(() => chips.getByRole('listitem').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Skimmer C2 alpha attached' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Remove Skimmer C2 beta' }).click();
    await expect.poll(() => chips.getByRole('listitem').count()).toBe(1);

    // A malformed pasted id: the schema's error, next to the picker, naming the id.
    await page.getByLabel('Or paste indicator ids').fill('indicator--nope');
    await page.getByRole('button', { name: 'Add ids' }).click();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: 'indicator--nope: a STIX indicator id looks like' }).waitFor();
    await page.getByRole('button', { name: 'Remove indicator--nope' }).click();

    // A well-formed id of an indicator the CERT may not see: the service's error, its chip marked.
    await page.getByLabel('Or paste indicator ids').fill(`${HIDDEN.id}\n${ALPHA.id}`);
    await page.getByRole('button', { name: 'Add ids' }).click();
    await expect.poll(() => chips.getByRole('listitem').count()).toBe(2);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: `${HIDDEN.id}: no such indicator visible to your organisation` }).waitFor();
    expect(await chips.locator('li.chip.invalid').count()).toBe(1);
    expect(await chips.locator('li.chip.invalid').textContent()).toContain(HIDDEN.id);
    await snap(page, 'advisory-indicator-picker');
    await page.getByRole('button', { name: `Remove ${HIDDEN.id}` }).click();

    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: /Skimmer C2 infrastructure/ }).waitFor();
    await page.getByRole('link', { name: 'Skimmer C2 alpha' }).waitFor();
    expect(await page.getByRole('link', { name: 'Skimmer C2 beta' }).count()).toBe(0);
  });

  it('expands neighbours into the graph once each, stops at the cap with a message, and resets to one hop', async () => {
    const page = await signedInPage(browser, s.url, analyst, contexts);
    await page.goto(`${s.url}/intel/objects/${MALWARE.id}`);
    await page.getByRole('heading', { name: 'Skimmer family' }).waitFor();
    const graph = page.getByRole('group', { name: /Relationship graph/ });
    await page.getByRole('group', { name: 'Relationship graph: 2 related object(s)' }).waitFor();
    const attrs = async (l: Locator, name: string) => Promise.all((await l.all()).map((x) => x.getAttribute(name)));
    const nodeIds = () => attrs(graph.locator('[data-node]'), 'data-node');

    // The tool's hop adds the mitigation, not the indicator the CERT may not see.
    await page.getByRole('button', { name: 'Expand tool Skim tool' }).click();
    await page.getByRole('group', { name: 'Relationship graph: 3 related object(s)' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Expanded 1 object(s)' }).waitFor();
    expect((await nodeIds()).sort()).toEqual([MALWARE.id, GANG.id, TOOL.id, FIX.id].sort());
    expect(await page.getByRole('button', { name: 'Expand tool Skim tool' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Expand course-of-action Patch the ATMs' }).waitFor();

    // The gang's 85 techniques pass the cap: 80 drawn, the rest said to be left out; each object and relationship once.
    await page.getByRole('button', { name: 'Expand intrusion-set Card gang' }).click();
    await page.getByRole('group', { name: 'Relationship graph: 80 related object(s)' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'at most 80 related objects: 8 more from the expanded objects are left out' }).waitFor();
    const ids = await nodeIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(await graph.locator(`[data-edge="${GANG_USES_MALWARE.id}"]`).count()).toBe(1);
    const edges = await attrs(graph.locator('[data-edge]'), 'data-edge');
    expect(new Set(edges).size).toBe(edges.length);
    expect(await graph.getByRole('button', { name: /^Expand / }).count()).toBe(0);
    await snap(page, 'intel-graph-expanded');

    // A node is still a link to its object; Reset goes back to the one hop.
    await page.getByRole('button', { name: 'Reset to one hop' }).click();
    await page.getByRole('group', { name: 'Relationship graph: 2 related object(s)' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Expanded' }).count()).toBe(0);
    await graph.getByRole('link', { name: 'tool Skim tool' }).click();
    await page.getByRole('heading', { name: 'Skim tool' }).waitFor();
    await page.getByRole('group', { name: 'Relationship graph: 2 related object(s)' }).waitFor();
  });
});
