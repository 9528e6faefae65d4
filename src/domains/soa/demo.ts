/**
 * Demo data: Nova Bank's applied controls (mapped to ISO/IEC 27001 and some
 * directly to CSF 2.0), evidence (links and one stored file), a recurring
 * check, a decided SoA for all 93 Annex A controls and an approved version 1.
 * Everything goes through the services as the bank's ISMS manager and
 * control owner, so it is validated and audited like real input.
 */
import { registerDemoExtension } from '../../demo/load.js';
import { inTx } from '../../core/context.js';
import { insertControl } from '../controls/service.js';
import { insertEvidence } from '../controls/evidence.js';
import type { ControlCreate } from '../controls/schema.js';
import { approveSoa, bulkUpdateSoa, listSoa, updateSoaEntry } from './service.js';

const ISO = 'iso27001-2022';
const CSF = 'nist-csf-2.0';

const CONTROLS: Array<Omit<ControlCreate, 'ownerId'> & { owner: 'isms' | 'control'; evidence?: Array<{ title: string; url?: string; file?: string; validUntil?: string }> }> = [
  { ref: 'C-001', name: 'Information security policy set', description: 'Board-approved policy with topic-specific policies, reviewed yearly.', status: 'implemented', owner: 'isms', frequency: 'annual', requirements: [{ framework: ISO, ref: 'A.5.1' }, { framework: CSF, ref: 'GV.PO-01' }], evidence: [{ title: 'Board minutes approving the policy (2026)', url: 'https://intranet.novabank.example/board/2026-02-minutes', validUntil: '2027-02-28' }] },
  { ref: 'C-002', name: 'Roles and responsibilities (RACI)', status: 'implemented', owner: 'isms', requirements: [{ framework: ISO, ref: 'A.5.2' }, { framework: ISO, ref: 'A.5.3' }] },
  { ref: 'C-003', name: 'Asset inventory in the ISMS', description: 'Every information asset has an owner and CIA rating in Muhafiz.', status: 'implemented', owner: 'control', requirements: [{ framework: ISO, ref: 'A.5.9' }, { framework: ISO, ref: 'A.5.10' }] },
  { ref: 'C-004', name: 'Quarterly user access review', description: 'System owners confirm every account and privilege each quarter.', status: 'implemented', owner: 'control', frequency: 'quarterly', requirements: [{ framework: ISO, ref: 'A.5.15' }, { framework: ISO, ref: 'A.5.18' }, { framework: ISO, ref: 'A.8.2' }], evidence: [{ title: 'Access review sign-off Q4', file: 'access-review-q4.csv', validUntil: '2027-03-31' }] },
  { ref: 'C-005', name: 'MFA for remote and privileged access', status: 'partial', owner: 'control', requirements: [{ framework: ISO, ref: 'A.8.5' }, { framework: CSF, ref: 'PR.AA-03' }] },
  { ref: 'C-006', name: 'EDR on all endpoints and servers', description: 'Managed EDR with 24x7 alert triage by the SOC.', status: 'implemented', owner: 'control', requirements: [{ framework: ISO, ref: 'A.8.7' }, { framework: ISO, ref: 'A.8.16' }], evidence: [{ title: 'EDR coverage report', url: 'https://edr.novabank.example/reports/coverage', validUntil: '2026-12-31' }] },
  { ref: 'C-007', name: 'Vulnerability scanning and patching SLA', status: 'partial', owner: 'control', frequency: 'monthly', requirements: [{ framework: ISO, ref: 'A.8.8' }, { framework: CSF, ref: 'ID.RA-01' }] },
  { ref: 'C-008', name: 'Central logging in the SIEM', description: 'Security logs of core banking, AD, firewalls and EDR kept 13 months.', status: 'implemented', owner: 'control', requirements: [{ framework: ISO, ref: 'A.8.15' }, { framework: CSF, ref: 'DE.CM-01' }, { framework: CSF, ref: 'DE.CM-09' }], evidence: [{ title: 'SIEM source coverage', url: 'https://siem.novabank.example/coverage', validUntil: '2027-06-30' }] },
  { ref: 'C-009', name: 'Daily encrypted backups with restore tests', status: 'implemented', owner: 'control', frequency: 'quarterly', requirements: [{ framework: ISO, ref: 'A.8.13' }, { framework: CSF, ref: 'PR.DS-11' }] },
  { ref: 'C-010', name: 'Incident response plan and CERT reporting', status: 'implemented', owner: 'isms', requirements: [{ framework: ISO, ref: 'A.5.24' }, { framework: ISO, ref: 'A.5.25' }, { framework: ISO, ref: 'A.5.26' }] },
  { ref: 'C-011', name: 'Supplier security clauses and reviews', status: 'partial', owner: 'isms', requirements: [{ framework: ISO, ref: 'A.5.19' }, { framework: ISO, ref: 'A.5.20' }, { framework: ISO, ref: 'A.5.22' }] },
  { ref: 'C-012', name: 'Security awareness training', status: 'implemented', owner: 'isms', frequency: 'annual', requirements: [{ framework: ISO, ref: 'A.6.3' }, { framework: CSF, ref: 'PR.AT-01' }] },
  { ref: 'C-013', name: 'Secure development lifecycle', status: 'not_started', owner: 'control', requirements: [{ framework: ISO, ref: 'A.8.25' }, { framework: ISO, ref: 'A.8.28' }] },
];

const EXCLUDED: Record<string, string> = {
  'A.7.5': 'No own data centre: physical and environmental threats to the hosting facility are covered by the colocation contract (Tier III, audited).',
  'A.8.30': 'No software development is outsourced; all development is in-house (see A.8.25).',
};

registerDemoExtension('soa', async (sector) => {
  const isms = sector.user('novaBank', 'isms_manager');
  const controlOwner = sector.user('novaBank', 'control_owner');
  const asIsms = sector.actingAs(isms);
  let evidence = 0;
  await inTx(asIsms, async (tx) => {
    for (const c of CONTROLS) {
      const { owner, evidence: items, ...input } = c;
      const id = await insertControl(tx, asIsms, { ...input, ownerId: owner === 'isms' ? isms.id : controlOwner.id });
      for (const e of items ?? []) {
        if (e.file) {
          const content = Buffer.from(`account,system,decision,reviewer\nj.doe,core-banking,keep,${controlOwner.displayName}\nx.temp,core-banking,remove,${controlOwner.displayName}\n`);
          const stored = await sector.rt.files.put(content);
          await insertEvidence(tx, asIsms, { kind: 'file', title: e.title, controlIds: [id], ...(e.validUntil ? { validUntil: e.validUntil } : {}), file: { store: sector.rt.files, stored, filename: e.file } });
        } else {
          await insertEvidence(tx, asIsms, { kind: 'link', title: e.title, url: e.url!, controlIds: [id], ...(e.validUntil ? { validUntil: e.validUntil } : {}) });
        }
        evidence++;
      }
    }
  });
  const all = (await listSoa(asIsms, { framework: ISO, limit: 500, offset: 0 })).items.map((r) => r.ref);
  await bulkUpdateSoa(asIsms, { framework: ISO, refs: all.filter((r) => !EXCLUDED[r]), applicable: true, justification: 'Required to treat risks in the Nova Bank risk register and by the regulator baseline for licensed banks.' });
  for (const [ref, why] of Object.entries(EXCLUDED)) await updateSoaEntry(asIsms, ISO, ref, { applicable: false, justification: why, status: 'derived' });
  await updateSoaEntry(asIsms, ISO, 'A.8.7', { applicable: true, justification: 'Malware is the top threat scenario in the risk register (ransomware on branch endpoints).', status: 'derived', ownerId: controlOwner.id });
  await approveSoa(asIsms, { framework: ISO, note: 'First SoA after the 2026 risk assessment' });
  return `SoA: ${CONTROLS.length} applied controls, ${evidence} evidence items, 93 SoA decisions, version 1 approved`;
});
