/**
 * Demo data: the ISMS of Nova Digital Bank and Ubuntu Microfinance Bank:
 * an asset inventory with dependencies, a risk register scored with the
 * default 5x5 method (inherent, current and residual), treatment tasks linked
 * to Annex A controls, one accepted risk, and policies at each step of their
 * approval. Everything goes through the services as the banks' own people,
 * so it is validated and audited like real input.
 */
import { registerDemoExtension, type DemoSector, type DemoUser } from '../../demo/load.js';
import { createAsset } from '../assets/service.js';
import type { AssetCreate } from '../assets/schema.js';
import { createDocument, transition } from '../documents/service.js';
import { createRisk } from './service.js';
import type { RiskCreate } from './schema.js';
import { acceptRisk, addTask } from './treatment.js';

type AssetSpec = Omit<AssetCreate, 'ownerId' | 'custodianId' | 'dependsOn'> & { owner?: 'isms' | 'risk' | 'control'; dependsOn?: string[] };

const NOVA_ASSETS: AssetSpec[] = [
  { name: 'Customer data (KYC records)', type: 'information', description: 'Identity documents, addresses and risk ratings of 410,000 customers.', confidentiality: 5, integrity: 5, availability: 3, owner: 'risk', tags: ['personal-data', 'kyc'] },
  { name: 'Card payment switch', type: 'software', description: 'Authorises card transactions with the national switch and the card schemes.', confidentiality: 4, integrity: 5, availability: 5, owner: 'control', tags: ['pci', 'payments'], location: 'Primary DC, Sahil City', dependsOn: ['Core banking database', 'Payments network segment'] },
  { name: 'Core banking system', type: 'software', description: 'Accounts, ledgers and interest; vendor package with in-house extensions.', confidentiality: 5, integrity: 5, availability: 5, owner: 'risk', tags: ['core'], dependsOn: ['Core banking database', 'Active Directory'] },
  { name: 'Core banking database', type: 'software', description: 'PostgreSQL cluster with synchronous replica in the secondary DC.', confidentiality: 5, integrity: 5, availability: 5, owner: 'control', tags: ['core', 'database'], location: 'Primary DC, Sahil City', dependsOn: ['Database servers (primary DC)'] },
  { name: 'Database servers (primary DC)', type: 'hardware', confidentiality: 4, integrity: 4, availability: 5, owner: 'control', location: 'Primary DC, Sahil City', acquiredOn: '2023-03-01', tags: ['datacentre'] },
  { name: 'Mobile banking app', type: 'software', description: 'Android and iOS apps; 260,000 monthly users.', confidentiality: 4, integrity: 5, availability: 4, owner: 'risk', tags: ['customer-facing'], dependsOn: ['Mobile API gateway'] },
  { name: 'Mobile API gateway', type: 'service', confidentiality: 4, integrity: 5, availability: 5, owner: 'control', tags: ['customer-facing'], dependsOn: ['Core banking system'] },
  { name: 'Active Directory', type: 'service', description: 'Staff identities and privileged groups.', confidentiality: 4, integrity: 5, availability: 4, owner: 'control', tags: ['identity'] },
  { name: 'Remote access VPN', type: 'service', description: 'GlobalProtect gateway for staff and two vendors.', confidentiality: 4, integrity: 4, availability: 4, owner: 'control', tags: ['perimeter'], dependsOn: ['Active Directory'] },
  { name: 'Payments network segment', type: 'hardware', confidentiality: 4, integrity: 5, availability: 5, owner: 'control', location: 'Primary DC, Sahil City', tags: ['pci', 'network'] },
  { name: 'Cloud email (M365)', type: 'service', confidentiality: 4, integrity: 3, availability: 4, owner: 'isms', tags: ['supplier'] },
  { name: 'Colocation provider (Tier III)', type: 'supplier', description: 'Hosts the primary data centre; ISO/IEC 27001 certified.', confidentiality: 3, integrity: 3, availability: 5, owner: 'isms', tags: ['supplier'] },
  { name: 'IT operations team', type: 'people', confidentiality: 3, integrity: 4, availability: 4, owner: 'isms' },
  { name: 'Head office, Sahil City', type: 'site', confidentiality: 3, integrity: 3, availability: 3, owner: 'isms', location: 'Sahil City' },
];

type RiskSpec = Omit<RiskCreate, 'ownerId' | 'assetIds'> & { assets: string[]; tasks?: Array<{ title: string; controlIds: string[]; dueInDays: number }>; accept?: { rationale: string; expiresInDays: number } };

const NOVA_RISKS: RiskSpec[] = [
  {
    title: 'Ransomware halts card payments',
    description: 'Ransomware reaching the payments segment encrypts the card switch and its database.',
    threat: 'Organised ransomware operators', vulnerability: 'Flat network between office and payments; slow patching of the VPN gateway',
    cia: ['I', 'A'], assets: ['Card payment switch', 'Core banking database', 'Remote access VPN'],
    inherent: { likelihood: 4, impact: 5 }, current: { likelihood: 3, impact: 5 }, residual: { likelihood: 2, impact: 3 },
    treatment: 'modify', treatmentNote: 'Segment the payments network, patch the VPN within 72 h of a critical advisory, test restores quarterly.',
    tasks: [
      { title: 'Segment the payments network from the office LAN', controlIds: ['A.8.22'], dueInDays: 45 },
      { title: 'Critical VPN patches within 72 h (SLA in the vulnerability procedure)', controlIds: ['A.8.8'], dueInDays: 20 },
      { title: 'Quarterly restore test of the card switch', controlIds: ['A.8.13'], dueInDays: 60 },
    ],
  },
  {
    title: 'Customer data leaked through a compromised staff account',
    threat: 'Phishing and credential stuffing', vulnerability: 'MFA not yet enforced for all remote access',
    cia: ['C'], assets: ['Customer data (KYC records)', 'Active Directory', 'Remote access VPN'],
    inherent: { likelihood: 4, impact: 5 }, current: { likelihood: 3, impact: 4 }, residual: { likelihood: 2, impact: 4 },
    treatment: 'modify', treatmentNote: 'Enforce MFA on every remote and privileged login; phishing drills each quarter.',
    tasks: [
      { title: 'Enforce MFA for the VPN and all privileged accounts', controlIds: ['A.8.5'], dueInDays: 30 },
      { title: 'Quarterly phishing simulation', controlIds: ['A.6.3'], dueInDays: 90 },
    ],
  },
  {
    title: 'Mobile API abused for account takeover',
    threat: 'Fraud rings automating login attempts', vulnerability: 'Rate limits per device only',
    cia: ['C', 'I'], assets: ['Mobile banking app', 'Mobile API gateway'],
    inherent: { likelihood: 3, impact: 4 }, current: { likelihood: 3, impact: 3 }, residual: { likelihood: 2, impact: 3 },
    treatment: 'modify', treatmentNote: 'Behavioural rate limits and device binding.',
    tasks: [{ title: 'Per-account and per-IP rate limits on the login API', controlIds: ['A.8.16', 'A.8.26'], dueInDays: 40 }],
  },
  {
    title: 'Colocation outage longer than the recovery time objective',
    threat: 'Power or cooling failure at the provider', vulnerability: 'Secondary DC needs 6 h to take over',
    cia: ['A'], assets: ['Colocation provider (Tier III)', 'Database servers (primary DC)'],
    inherent: { likelihood: 2, impact: 5 }, current: { likelihood: 2, impact: 4 }, residual: { likelihood: 2, impact: 4 },
    treatment: 'retain',
    accept: { rationale: 'The provider is Tier III with two independent feeds; a faster failover costs more than the expected loss this year. Revisit after the DR test.', expiresInDays: 180 },
  },
  {
    title: 'Email outage at the cloud provider',
    cia: ['A'], assets: ['Cloud email (M365)'], threat: 'Provider incident', vulnerability: 'No secondary channel for customer notices',
    inherent: { likelihood: 2, impact: 2 }, treatment: 'share', treatmentNote: 'Covered by the provider SLA and the cyber insurance policy.',
  },
];

const POLICIES: Array<{ title: string; kind: 'policy' | 'procedure' | 'standard'; classification: 'internal' | 'confidential'; content: string; state: 'published' | 'in_review' | 'draft' }> = [
  { title: 'Information security policy', kind: 'policy', classification: 'internal', state: 'published', content: '# Information security policy\n\nNova Digital Bank protects the confidentiality, integrity and availability of customer and bank information.\n\n## Scope\nAll staff, contractors and systems.\n\n## Commitments\n- Risks are assessed at least yearly and after major changes.\n- Controls follow ISO/IEC 27001:2022 Annex A, as stated in the Statement of Applicability.\n- Incidents are reported to SahilFin-CERT within the regulatory deadlines.\n' },
  { title: 'Access control policy', kind: 'policy', classification: 'internal', state: 'published', content: '# Access control policy\n\n- Access is granted on least privilege and reviewed quarterly.\n- MFA is required for remote and privileged access.\n- Accounts of leavers are disabled on their last day.\n' },
  { title: 'Incident response procedure', kind: 'procedure', classification: 'confidential', state: 'in_review', content: '# Incident response procedure\n\n1. Triage within 30 minutes.\n2. Classify against the DORA-like regime of SahilFin-CERT.\n3. Submit the initial report within 4 hours of classifying a major incident.\n' },
  { title: 'Cryptography standard', kind: 'standard', classification: 'internal', state: 'draft', content: '# Cryptography standard\n\nTLS 1.2 or later; AES-256-GCM at rest; keys in the HSM.\n' },
];

const UBUNTU_ASSETS: AssetSpec[] = [
  { name: 'Loan management system', type: 'software', confidentiality: 4, integrity: 5, availability: 4, owner: 'risk', tags: ['core'] },
  { name: 'Borrower records', type: 'information', confidentiality: 5, integrity: 4, availability: 3, owner: 'risk', tags: ['personal-data'] },
  { name: 'Mobile money integration', type: 'service', confidentiality: 4, integrity: 5, availability: 4, owner: 'risk', tags: ['payments', 'supplier'], dependsOn: ['Loan management system'] },
  { name: 'Branch network (12 branches)', type: 'site', confidentiality: 2, integrity: 3, availability: 3, owner: 'isms' },
];

const day = (base: Date, days: number) => new Date(base.getTime() + days * 86_400_000).toISOString().slice(0, 10);

async function loadAssets(sector: DemoSector, specs: AssetSpec[], asIsms: ReturnType<DemoSector['actingAs']>, owners: Record<'isms' | 'risk' | 'control', DemoUser>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // Dependencies first: an asset is created after the assets it depends on.
  const pending = [...specs];
  while (pending.length) {
    const i = pending.findIndex((a) => (a.dependsOn ?? []).every((d) => ids.has(d)));
    if (i < 0) throw new Error(`demo assets: unresolved dependency in ${pending.map((a) => a.name).join(', ')}`);
    const { owner, dependsOn, ...spec } = pending.splice(i, 1)[0]!;
    const made = await createAsset(asIsms, {
      ...spec,
      ownerId: owners[owner ?? 'isms'].id,
      reviewDueOn: day(sector.rt.clock.now(), 120 + ids.size * 7),
      dependsOn: (dependsOn ?? []).map((d) => ids.get(d)!),
    });
    ids.set(made.name, made.id);
  }
  return ids;
}

registerDemoExtension('isms', async (sector) => {
  const now = sector.rt.clock.now();
  const isms = sector.user('novaBank', 'isms_manager');
  const riskOwner = sector.user('novaBank', 'risk_owner');
  const controlOwner = sector.user('novaBank', 'control_owner');
  const admin = sector.user('novaBank', 'org_admin');
  const asIsms = sector.actingAs(isms);
  const assets = await loadAssets(sector, NOVA_ASSETS, asIsms, { isms, risk: riskOwner, control: controlOwner });

  for (const r of NOVA_RISKS) {
    const { assets: names, tasks, accept, ...input } = r;
    const risk = await createRisk(asIsms, { ...input, ownerId: riskOwner.id, assetIds: names.map((n) => assets.get(n)!), reviewDueOn: day(now, 90) });
    for (const t of tasks ?? []) await addTask(asIsms, risk.id, { title: t.title, controlIds: t.controlIds, ownerId: controlOwner.id, dueOn: day(now, t.dueInDays) });
    if (accept) await acceptRisk(sector.actingAs(riskOwner), risk.id, { rationale: accept.rationale, expiresOn: day(now, accept.expiresInDays) });
  }

  for (const p of POLICIES) {
    const doc = await createDocument(asIsms, { title: p.title, kind: p.kind, classification: p.classification, ownerId: isms.id, reviewCycleMonths: 12, content: p.content, changeNote: 'First version' });
    if (p.state === 'draft') continue;
    await transition(asIsms, doc.id, 'submit');
    if (p.state === 'in_review') continue;
    await transition(sector.actingAs(admin), doc.id, 'approve', 'Approved by the CEO on behalf of the board');
    await transition(sector.actingAs(admin), doc.id, 'publish');
  }

  const ubuntuIsms = sector.user('ubuntuMfb', 'isms_manager');
  const ubuntuOwner = sector.user('ubuntuMfb', 'risk_owner');
  const asUbuntu = sector.actingAs(ubuntuIsms);
  const ubuntuAssets = await loadAssets(sector, UBUNTU_ASSETS, asUbuntu, { isms: ubuntuIsms, risk: ubuntuOwner, control: ubuntuOwner });
  await createRisk(asUbuntu, {
    title: 'Fraudulent loan disbursement through phished staff credentials',
    threat: 'Phishing', vulnerability: 'Single-factor login to the loan system', cia: ['C', 'I'],
    ownerId: ubuntuOwner.id, assetIds: [ubuntuAssets.get('Loan management system')!, ubuntuAssets.get('Mobile money integration')!],
    inherent: { likelihood: 4, impact: 4 }, current: { likelihood: 4, impact: 4 }, residual: { likelihood: 2, impact: 3 }, treatment: 'modify',
  });

  return `ISMS: ${assets.size + ubuntuAssets.size} assets, ${NOVA_RISKS.length + 1} risks (1 accepted), ${POLICIES.length} policies (2 published, 1 in review, 1 draft)`;
});
