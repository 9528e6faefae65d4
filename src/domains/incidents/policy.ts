import { definePolicy } from '../../core/access/index.js';

const ENTITY = ['regulated_entity', 'service_provider'] as const;
const CERT = ['cert'] as const;

export const IncidentActions = definePolicy({
  'regimes.read': { roles: ['org_admin', 'isms_manager', 'staff', 'cert_analyst', 'cert_duty_officer', 'supervisor'], description: 'Read the reporting regimes that apply (own or of the serving CERT)' },
  'regimes.manage': { roles: ['cert_duty_officer', 'org_admin'], orgKinds: ['cert', 'regulator'], description: 'Install and tune reporting regimes for the constituency' },
  'incidents.read': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer'], orgKinds: [...ENTITY, ...CERT], description: "Read the org's incident reports (a CERT: its constituency's)" },
  'incidents.report': { roles: ['org_admin', 'isms_manager'], orgKinds: ENTITY, description: 'Draft, submit and correct incident reports; record lessons learned' },
  'incidents.message': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer'], orgKinds: [...ENTITY, ...CERT], description: 'Write in the thread between the reporting entity and the CERT' },
  'incidents.triage': { roles: ['cert_analyst', 'cert_duty_officer'], orgKinds: CERT, description: 'Move incidents through the lifecycle, assign, add tasks, notes and journal entries' },
  'incidents.coordinate': { roles: ['cert_analyst', 'cert_duty_officer'], orgKinds: CERT, description: 'Link incidents of several entities into coordination cases' },
  'incidents.export': { roles: ['cert_analyst', 'cert_duty_officer', 'org_admin', 'isms_manager'], orgKinds: [...ENTITY, ...CERT], description: 'Export incident lists and statistics' },
});
export type IncidentAction = keyof typeof IncidentActions;
