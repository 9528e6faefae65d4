import type { Role } from '../core/access/index.js';
import type { OrgKind } from '../db/types.js';

/**
 * The demo sector: the Republic of Sahil (fictional). Its capital-markets
 * regulator supervises four regulated entities; the sector CERT serves them
 * and the national telecom; a certification body audits them. Names, people
 * and domains are invented (`.example` is reserved for examples, RFC 2606).
 */
export const DEMO_ORGS = {
  platform: { name: 'Muhafiz platform', shortName: 'platform', kind: 'platform', domain: 'muhafiz.example' },
  regulator: { name: 'Capital Markets Authority of Sahil', shortName: 'CMAS', kind: 'regulator', sector: 'financial supervision', domain: 'cmas.example' },
  cert: { name: 'SahilFin-CERT', shortName: 'SahilFin-CERT', kind: 'cert', sector: 'financial sector CERT', domain: 'sahilfin-cert.example' },
  telecom: { name: 'Sahil Telecom', shortName: 'SahilTel', kind: 'service_provider', sector: 'telecommunications', domain: 'sahiltelecom.example' },
  novaBank: { name: 'Nova Digital Bank', shortName: 'NovaBank', kind: 'regulated_entity', sector: 'digital banking', domain: 'novabank.example' },
  ubuntuMfb: { name: 'Ubuntu Microfinance Bank', shortName: 'UbuntuMFB', kind: 'regulated_entity', sector: 'microfinance', domain: 'ubuntumfb.example' },
  crescent: { name: 'Crescent Securities', shortName: 'Crescent', kind: 'regulated_entity', sector: 'securities brokerage', domain: 'crescent-securities.example' },
  baobab: { name: 'Baobab Assurance', shortName: 'Baobab', kind: 'regulated_entity', sector: 'insurance', domain: 'baobab-assurance.example' },
  meridian: { name: 'Meridian Certification', shortName: 'Meridian', kind: 'certification_body', sector: 'ISO/IEC 27001 certification', domain: 'meridian-cert.example' },
} as const satisfies Record<string, { name: string; shortName: string; kind: OrgKind; sector?: string; domain: string }>;

export type DemoOrgKey = keyof typeof DEMO_ORGS;

/** The regulator supervises the four regulated entities. */
export const DEMO_SUPERVISED: readonly DemoOrgKey[] = ['novaBank', 'ubuntuMfb', 'crescent', 'baobab'];
/** The CERT's constituency: the four entities and the national telecom. */
export const DEMO_CONSTITUENTS: readonly DemoOrgKey[] = ['novaBank', 'ubuntuMfb', 'crescent', 'baobab', 'telecom'];

export interface DemoPerson {
  org: DemoOrgKey;
  name: string;
  roles: readonly Role[];
  platformAdmin?: boolean;
}

/** Everyone who can sign in to the demo; every role appears at least once. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { org: 'platform', name: 'Platform Administrator', roles: ['org_admin'], platformAdmin: true },
  { org: 'regulator', name: 'Halima Mwangi', roles: ['org_admin', 'supervisor'] },
  { org: 'regulator', name: 'Yusuf Karimi', roles: ['supervisor'] },
  { org: 'regulator', name: 'Grace Otieno', roles: ['viewer'] },
  { org: 'cert', name: 'Omar Haddad', roles: ['org_admin', 'cert_duty_officer'] },
  { org: 'cert', name: 'Leila Nasser', roles: ['cert_analyst'] },
  { org: 'cert', name: 'Daniel Mensah', roles: ['cert_analyst'] },
  { org: 'cert', name: 'Zainab Abdi', roles: ['cert_duty_officer'] },
  { org: 'telecom', name: 'Samuel Kiptoo', roles: ['org_admin'] },
  { org: 'telecom', name: 'Fatima Said', roles: ['staff'] },
  { org: 'novaBank', name: 'Amani Njoroge', roles: ['org_admin'] },
  { org: 'novaBank', name: 'Sara Rahman', roles: ['isms_manager'] },
  { org: 'novaBank', name: 'Peter Okafor', roles: ['risk_owner'] },
  { org: 'novaBank', name: 'Nadia Salim', roles: ['control_owner'] },
  { org: 'novaBank', name: 'Ibrahim Musa', roles: ['internal_auditor'] },
  { org: 'novaBank', name: 'Joy Wanjiru', roles: ['staff'] },
  { org: 'novaBank', name: 'Tariq Aziz', roles: ['viewer'] },
  { org: 'ubuntuMfb', name: 'Esther Achieng', roles: ['org_admin', 'isms_manager'] },
  { org: 'ubuntuMfb', name: 'Hassan Ali', roles: ['risk_owner', 'control_owner'] },
  { org: 'ubuntuMfb', name: 'Mercy Chebet', roles: ['internal_auditor'] },
  { org: 'ubuntuMfb', name: 'Kofi Asante', roles: ['staff'] },
  { org: 'crescent', name: 'Rashid Osman', roles: ['org_admin'] },
  { org: 'crescent', name: 'Aisha Bello', roles: ['isms_manager'] },
  { org: 'crescent', name: 'Collins Mutua', roles: ['risk_owner', 'control_owner'] },
  { org: 'crescent', name: 'Mariam Juma', roles: ['staff'] },
  { org: 'baobab', name: 'Naledi Dlamini', roles: ['org_admin'] },
  { org: 'baobab', name: 'Victor Kamau', roles: ['isms_manager', 'risk_owner'] },
  { org: 'baobab', name: 'Amina Farah', roles: ['control_owner'] },
  { org: 'baobab', name: 'Brian Odhiambo', roles: ['internal_auditor'] },
  { org: 'baobab', name: 'Lucy Wairimu', roles: ['staff'] },
  { org: 'meridian', name: 'Thomas Bauer', roles: ['org_admin'] },
  { org: 'meridian', name: 'Elena Rossi', roles: ['external_auditor'] },
];

/** `Halima Mwangi` in `cmas.example` -> `halima.mwangi@cmas.example`. */
export function demoEmail(p: DemoPerson): string {
  const local = p.platformAdmin ? 'admin' : p.name.toLowerCase().normalize('NFKD').replace(/[^a-z ]/g, '').trim().replace(/\s+/g, '.');
  return `${local}@${DEMO_ORGS[p.org].domain}`;
}
