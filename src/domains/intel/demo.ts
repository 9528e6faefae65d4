/**
 * Demo data: threat intelligence among the demo sector. Sahil Telecom shares
 * a TLP:GREEN campaign (indicators for a C2 address and a phishing domain, the
 * ransomware family, the ATT&CK technique it uses, relationships); the CERT
 * runs a sharing group of the four regulated entities and shares a
 * TLP:AMBER report with a file-hash indicator to it; Nova Bank reports a
 * sighting. The incidents of the `cert` demo extension carry the same values,
 * so correlation shows them both ways. Imported through the same services as
 * any bundle: validated, versioned and audited.
 */
import { registerDemoExtension } from '../../demo/load.js';
import { createSharingGroup } from '../sharing/service.js';
import { importObjects } from './imports.js';
import { addSighting } from './sightings.js';

/** Values the CERT demo's incidents repeat, so they correlate. */
export const DEMO_CAMPAIGN = {
  c2Ip: '198.51.100.23',
  phishingDomain: 'sahil-payments-update.example',
  lockerSha256: '5f2b7c1e9a0d4c3b8e6f1a2d3c4b5a69788766554433221100ffeeddccbbaa99',
} as const;

const T = '2026-11-20T08:00:00.000Z';
const NONE = { recipientOrgs: [], recipientUsers: [], sharingGroups: [] };

const telecomIdentity = { type: 'identity', spec_version: '2.1', id: 'identity--6c1f3f0e-4c55-4d3a-9a36-1c2b8f5a7e01', created: T, modified: T, name: 'Sahil Telecom SOC', identity_class: 'organization', sectors: ['telecommunications'] };
const c2Indicator = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--0b6f5b7e-2d1c-4a8e-9f3a-6d2e1c4b7a10', created: T, modified: T, created_by_ref: telecomIdentity.id,
  name: 'SahilLocker C2 server', description: 'Command-and-control address contacted by SahilLocker implants; seen in transit on the national backbone.',
  indicator_types: ['malicious-activity'], pattern: `[ipv4-addr:value = '${DEMO_CAMPAIGN.c2Ip}']`, pattern_type: 'stix', valid_from: T, confidence: 85,
};
const phishingIndicator = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--3e9d2c1b-7a6f-4e5d-8c4b-2a1f0e9d8c20', created: T, modified: T, created_by_ref: telecomIdentity.id,
  name: 'Phishing domain imitating a payments update', indicator_types: ['malicious-activity'],
  pattern: `[domain-name:value = '${DEMO_CAMPAIGN.phishingDomain}'] OR [url:value = 'https://${DEMO_CAMPAIGN.phishingDomain}/login']`, pattern_type: 'stix', valid_from: T, confidence: 70,
};
const locker = { type: 'malware', spec_version: '2.1', id: 'malware--8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c30', created: T, modified: T, created_by_ref: telecomIdentity.id, name: 'SahilLocker', description: 'Ransomware family targeting payment systems in the region (fictional).', malware_types: ['ransomware'], is_family: true };
const phishingTechnique = {
  type: 'attack-pattern', spec_version: '2.1', id: 'attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b', created: '2020-03-02T18:45:07.892Z', modified: '2025-04-15T19:58:02.553Z',
  name: 'Phishing', external_references: [{ source_name: 'mitre-attack', external_id: 'T1566', url: 'https://attack.mitre.org/techniques/T1566' }],
  kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'initial-access' }],
};
const rel = (n: number, source: string, type: string, target: string) => ({ type: 'relationship', spec_version: '2.1', id: `relationship--4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b${String(40 + n)}`, created: T, modified: T, relationship_type: type, source_ref: source, target_ref: target });

const certReport = (hashIndicatorId: string) => ({
  type: 'report', spec_version: '2.1', id: 'report--9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b50', created: T, modified: T,
  name: 'SahilLocker intrusions at two regulated entities', report_types: ['threat-report'], published: T,
  description: 'Initial access by phishing, lateral movement to the payments segment, encryption of the card switch. Shared with the banking sharing group only.',
  object_refs: [hashIndicatorId, locker.id, c2Indicator.id],
});
const hashIndicator = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c60', created: T, modified: T,
  name: 'SahilLocker encryptor binary', indicator_types: ['malicious-activity'], pattern: `[file:hashes.'SHA-256' = '${DEMO_CAMPAIGN.lockerSha256}']`, pattern_type: 'stix', valid_from: T,
};

registerDemoExtension('intel', async (sector) => {
  const telecom = sector.actingAs(sector.user('telecom', 'org_admin'));
  const shared = await importObjects(telecom, [telecomIdentity, c2Indicator, phishingIndicator, locker, phishingTechnique, rel(1, c2Indicator.id, 'indicates', locker.id), rel(2, phishingIndicator.id, 'indicates', locker.id), rel(3, locker.id, 'uses', phishingTechnique.id)], {
    source: 'Sahil Telecom SOC',
    sharing: { tlp: 'green', ...NONE },
    mailer: sector.rt.mailer,
  });

  const analyst = sector.actingAs(sector.user('cert', 'cert_analyst'));
  const group = await createSharingGroup(analyst, {
    name: 'Sahil banking ISAC',
    description: 'The regulated entities of the financial sector; CERT reports on active intrusions.',
    hideMembers: false,
    memberOrgIds: (['novaBank', 'ubuntuMfb', 'crescent', 'baobab'] as const).map((k) => sector.orgs[k].id),
  });
  const amber = await importObjects(analyst, [hashIndicator, certReport(hashIndicator.id)], { source: 'SahilFin-CERT', sharing: { tlp: 'amber', ...NONE, sharingGroups: [group.id] }, mailer: sector.rt.mailer });

  const nova = sector.actingAs(sector.user('novaBank', 'isms_manager'));
  await addSighting(nova, c2Indicator.id, { kind: 'seen', count: 14, firstSeen: '2026-11-25T02:10:00.000Z', lastSeen: '2026-11-25T05:40:00.000Z', note: 'Outbound connections from the card switch before it was isolated.', tlp: 'green', ...NONE });

  return `intel: ${shared.inserted + amber.inserted} STIX objects (TLP:GREEN from Sahil Telecom, TLP:AMBER to the ${group.name} sharing group), 1 sighting`;
});
