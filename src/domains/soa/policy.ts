import { definePolicy } from '../../core/access/index.js';

const ISMS_ORGS = ['regulated_entity', 'service_provider', 'regulator', 'cert'] as const;

export const SoaActions = definePolicy({
  'soa.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'viewer', 'external_auditor'], orgKinds: ISMS_ORGS, description: 'See the Statement of Applicability, its versions, exports and the compliance overview' },
  'soa.edit': { roles: ['org_admin', 'isms_manager'], orgKinds: ISMS_ORGS, description: 'Decide applicability, justification, status and owner of SoA entries' },
  'soa.approve': { roles: ['org_admin', 'isms_manager'], orgKinds: ISMS_ORGS, description: 'Approve a version of the Statement of Applicability (an immutable snapshot)' },
});
