/**
 * Demo data: SahilFin-CERT's reporting regimes, incidents and advisories, so
 * the triage queue, the deadlines, the statistics and the entity side all
 * have something true to show on first sign-in:
 * - Nova Bank's major ransomware incident (card payments down), reported on
 *   time at the initial and intermediate stages, in containment, with a
 *   question from the CERT answered in the thread, linked to ISMS assets;
 * - Ubuntu MFB's phishing incident whose intermediate report is overdue;
 * - Crescent's fresh DDoS report waiting in the queue;
 * - Baobab's draft (visible to Baobab only);
 * - a coordination case joining the two incidents of the same campaign;
 * - a published advisory with acknowledgements from some recipients and
 *   silence from others, and a draft advisory.
 * Past events are entered with the clock of their time, so every deadline is
 * computed from stored timestamps exactly as for real reports.
 */
import { ManualClock } from '../../core/clock.js';
import { inTx, type Ctx } from '../../core/context.js';
import { registerDemoExtension, type DemoSector } from '../../demo/load.js';
import { createAdvisory, publishAdvisory, respond } from '../advisories/service.js';
import { AdvisoryCreateBody } from '../advisories/schema.js';
import { DEMO_CAMPAIGN } from '../intel/demo.js';
import { createCase } from './service/cases.js';
import { addNote, addTask, assign, postMessage, transition } from './service/handling.js';
import { installPreset } from './service/regimes.js';
import { createIncident, submitStage } from './service/reports.js';
import type { ReportDraft } from './schema.js';

const H = 3_600_000;
/** The context at a moment in the past (or future): what was done then carries that time. */
const at = (ctx: Ctx, when: Date): Ctx => ({ ...ctx, clock: new ManualClock(when) });

async function assetIds(ctx: Ctx, names: string[]): Promise<string[]> {
  const rows = await inTx(ctx, (tx) => tx.selectFrom('assets').select(['id', 'name']).where('org_id', '=', ctx.actor.orgId).where('name', 'in', names).execute());
  return rows.map((r) => r.id);
}

registerDemoExtension('cert', async (sector: DemoSector) => {
  const now = sector.rt.clock.now();
  const ago = (hours: number) => new Date(now.getTime() - hours * H);
  const deps = { mailer: sector.rt.mailer };
  const duty = sector.actingAs(sector.user('cert', 'cert_duty_officer'));
  const analystUser = sector.user('cert', 'cert_analyst');
  const analyst = sector.actingAs(analystUser);

  await installPreset(at(duty, ago(24 * 30)), { preset: 'dora', isDefault: true });
  await installPreset(at(duty, ago(24 * 30)), { preset: 'nis2' });

  // Nova Bank: major ransomware incident, detected five days ago, initial and intermediate on time.
  const nova = sector.actingAs(sector.user('novaBank', 'isms_manager'));
  const detected = ago(5 * 24 + 3);
  const novaDraft: ReportDraft = {
    title: 'Card payments down after ransomware on the card switch',
    summary: 'SahilLocker ransomware encrypted the card payment switch and its database replica. Card payments failed nationwide for about four hours; mobile and branch transfers kept working.',
    detectedAt: detected.toISOString(),
    startedAt: new Date(detected.getTime() - 2 * H).toISOString(),
    classifiedAt: new Date(detected.getTime() + 1 * H).toISOString(),
    rsitClass: 'malicious-code',
    rsitType: 'infected-system',
    severity: 'critical',
    major: true,
    criteria: { customers_affected: 86_000, transactions_affected: 41_000, downtime_minutes: 245, critical_services_hit: 1, financial_loss: 120_000 },
    affectedServices: ['card payments', 'ATM withdrawals'],
    assetIds: await assetIds(nova, ['Card payment switch', 'Core banking database', 'Remote access VPN']),
    impactDescription: 'About 86,000 customers could not pay by card or withdraw cash for four hours.',
    measures: 'Card switch isolated, payments network segmented, switch restored from the offline backup of the previous night.',
    rootCause: 'A staff member opened a phishing mail; the attacker came in through the VPN with the stolen password (MFA was not enforced for that group).',
    observables: [
      { type: 'ipv4', value: DEMO_CAMPAIGN.c2Ip, tlp: 'amber' },
      { type: 'domain', value: DEMO_CAMPAIGN.phishingDomain, tlp: 'green' },
      { type: 'sha256', value: DEMO_CAMPAIGN.lockerSha256, tlp: 'amber' },
    ],
    contact: { name: 'Sara Rahman', email: 'sara.rahman@novabank.example', phone: '+255 700 100 200' },
  };
  const novaInc = await createIncident(at(nova, new Date(detected.getTime() + 1.5 * H)), { draft: novaDraft });
  await submitStage(at(nova, new Date(detected.getTime() + 3 * H)), deps, novaInc.id, 'initial');
  await transition(at(duty, new Date(detected.getTime() + 3.5 * H)), deps, novaInc.id, 'triage', 'Major: card payments down nationwide');
  await assign(at(duty, new Date(detected.getTime() + 3.6 * H)), deps, novaInc.id, analystUser.id);
  await transition(at(analyst, new Date(detected.getTime() + 4 * H)), deps, novaInc.id, 'analysis', 'Same C2 as the telecom report of 20 November');
  await postMessage(at(analyst, new Date(detected.getTime() + 5 * H)), deps, novaInc.id, { body: 'Did the attacker reach the payments segment through the VPN or through the office LAN? Please send the VPN logs of 24–25 November.', tlp: 'amber' });
  await postMessage(at(nova, new Date(detected.getTime() + 9 * H)), deps, novaInc.id, { body: 'Through the VPN, with the account of a staff member phished on the 24th. Logs are attached to the intermediate report.', tlp: 'amber' });
  await addNote(at(analyst, new Date(detected.getTime() + 10 * H)), novaInc.id, 'Phishing domain also reported by Ubuntu MFB: likely one campaign. Checking the other constituents.');
  await addTask(at(analyst, new Date(detected.getTime() + 10 * H)), novaInc.id, { title: 'Ask all constituents to block the C2 address', ownerId: analystUser.id, dueAt: new Date(detected.getTime() + 24 * H).toISOString() });
  await transition(at(analyst, new Date(detected.getTime() + 30 * H)), deps, novaInc.id, 'containment', 'Switch isolated, C2 blocked sector-wide');
  await submitStage(at(nova, new Date(detected.getTime() + 50 * H)), deps, novaInc.id, 'intermediate');

  // Ubuntu MFB: phishing of staff credentials; the intermediate report is overdue.
  const ubuntu = sector.actingAs(sector.user('ubuntuMfb', 'isms_manager'));
  const uDetected = ago(4 * 24 + 6);
  const ubuntuInc = await createIncident(at(ubuntu, new Date(uDetected.getTime() + 1 * H)), {
    draft: {
      title: 'Staff credentials phished through a fake payments update',
      summary: 'Eleven loan officers entered their passwords on a page imitating a payments system update; two accounts were used to view borrower records.',
      detectedAt: uDetected.toISOString(),
      classifiedAt: new Date(uDetected.getTime() + 2 * H).toISOString(),
      rsitClass: 'fraud',
      rsitType: 'phishing',
      severity: 'high',
      major: true,
      criteria: { data_records_exposed: 3_400, customers_affected: 3_400 },
      affectedServices: ['loan management'],
      observables: [{ type: 'domain', value: DEMO_CAMPAIGN.phishingDomain, tlp: 'green' }, { type: 'url', value: `https://${DEMO_CAMPAIGN.phishingDomain}/login`, tlp: 'green' }],
      contact: { name: 'Esther Achieng', email: 'esther.achieng@ubuntumfb.example' },
    },
  });
  await submitStage(at(ubuntu, new Date(uDetected.getTime() + 4 * H)), deps, ubuntuInc.id, 'initial');
  await transition(at(duty, new Date(uDetected.getTime() + 6 * H)), deps, ubuntuInc.id, 'triage', 'Same phishing domain as Nova Bank');

  // Crescent Securities: a DDoS on the trading portal, reported an hour ago.
  const crescent = sector.actingAs(sector.user('crescent', 'isms_manager'));
  const cDetected = ago(6);
  const crescentInc = await createIncident(at(crescent, ago(2)), {
    draft: {
      title: 'DDoS on the online trading portal',
      summary: 'Volumetric attack (UDP reflection, peak 38 Gbit/s) on the trading portal; mitigated by the telecom provider after 50 minutes.',
      detectedAt: cDetected.toISOString(),
      classifiedAt: new Date(cDetected.getTime() + 1 * H).toISOString(),
      rsitClass: 'availability',
      rsitType: 'ddos',
      severity: 'medium',
      major: false,
      criteria: { downtime_minutes: 50, customers_affected: 2_100 },
      affectedServices: ['online trading'],
      observables: [{ type: 'ipv4', value: '203.0.113.99', tlp: 'green' }],
      contact: { name: 'Aisha Bello', email: 'aisha.bello@crescent-securities.example' },
    },
  });
  await submitStage(at(crescent, ago(1)), deps, crescentInc.id, 'initial');

  // Baobab: a draft nobody else sees yet.
  const baobab = sector.actingAs(sector.user('baobab', 'isms_manager'));
  await createIncident(baobab, { draft: { title: 'Lost laptop of a claims assessor', summary: 'Encrypted laptop left in a taxi; remote wipe requested.', detectedAt: ago(3).toISOString(), rsitClass: 'information-content-security', rsitType: 'data-loss', severity: 'low', major: false } });

  await createCase(at(analyst, new Date(uDetected.getTime() + 8 * H)), {
    title: 'SahilLocker campaign: fake payments update',
    description: 'Phishing from the same domain at two banks; one led to ransomware on the card switch.',
    incidentIds: [novaInc.id, ubuntuInc.id],
  });

  // Advisories: one published three days ago (some acknowledged, some silent), one draft.
  const published = ago(3 * 24);
  const advisory = await createAdvisory(at(analyst, published), AdvisoryCreateBody.parse({
    title: 'SahilLocker ransomware: block the C2 and enforce MFA on VPN gateways',
    tlp: 'green',
    severity: 'high',
    products: [{ vendor: 'Palo Alto Networks', product: 'PAN-OS GlobalProtect', versions: 'before 11.1.2-h3' }],
    cveIds: ['CVE-2024-3400'],
    description: 'Two constituents were hit by one campaign: phishing for VPN credentials, then SahilLocker ransomware on payment systems.',
    recommendedActions: '1. Block the indicators below at the perimeter.\n2. Enforce MFA for every VPN login.\n3. Patch GlobalProtect gateways.\n4. Check for the encryptor hash with your EDR.',
    indicators: [{ type: 'ipv4', value: DEMO_CAMPAIGN.c2Ip, tlp: 'green' }, { type: 'domain', value: DEMO_CAMPAIGN.phishingDomain, tlp: 'green' }],
    stixFromObservables: true,
    audience: { kind: 'all' },
  }));
  await publishAdvisory(at(duty, published), deps, advisory.id);
  await respond(at(nova, new Date(published.getTime() + 2 * H)), advisory.id, { acknowledge: true, applicability: 'affected', remediationStatus: 'in_progress', remediationDate: new Date(now.getTime() + 14 * 24 * H).toISOString().slice(0, 10), note: 'MFA rolled out to all VPN users; gateway patch in the next change window.' });
  await respond(at(crescent, new Date(published.getTime() + 20 * H)), advisory.id, { acknowledge: true, applicability: 'not_affected', remediationStatus: 'not_applicable', note: 'No GlobalProtect in use; indicators blocked anyway.' });
  await createAdvisory(analyst, AdvisoryCreateBody.parse({
    title: 'Reflection DDoS against trading portals',
    tlp: 'clear',
    severity: 'medium',
    description: 'UDP reflection attacks against brokers\u2019 portals this week.',
    recommendedActions: 'Agree a scrubbing runbook with your upstream provider.',
    audience: { kind: 'sector', sector: 'securities brokerage' },
  }));

  return 'CERT: DORA-like (default) and NIS2-like regimes, 4 incidents (1 overdue, 1 draft), 1 coordination case, 2 advisories (1 published, 2 of 5 acknowledged)';
});
