import { definePolicy } from '../../core/access/index.js';

export const AdvisoryActions = definePolicy({
  'advisories.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'staff', 'viewer', 'cert_analyst', 'cert_duty_officer'], description: 'Read advisories (a CERT: its own; others: those delivered to them)' },
  'advisories.write': { roles: ['cert_analyst', 'cert_duty_officer'], orgKinds: ['cert'], description: 'Draft, publish and withdraw advisories; follow recipients' },
  'advisories.respond': { roles: ['org_admin', 'isms_manager'], orgKinds: ['regulated_entity', 'service_provider', 'regulator'], description: 'Acknowledge an advisory and report applicability and remediation' },
});
