import { definePolicy } from '../../core/access/index.js';

const ISMS_ORGS = ['regulated_entity', 'service_provider', 'regulator', 'cert'] as const;

export const RiskActions = definePolicy({
  'risks.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'viewer', 'external_auditor'], orgKinds: ISMS_ORGS, description: 'See the risk register, heat maps and the risk method' },
  'risks.manage': { roles: ['org_admin', 'isms_manager', 'risk_owner'], orgKinds: ISMS_ORGS, description: 'Create and change risks, treatment plans and reviews' },
  'risks.method': { roles: ['org_admin', 'isms_manager'], orgKinds: ISMS_ORGS, description: 'Change the risk method (scales, matrix, appetite); re-scores every risk' },
  'risks.accept': { roles: ['org_admin', 'isms_manager', 'risk_owner'], orgKinds: ISMS_ORGS, description: 'Sign off the acceptance of a risk (only as its owner)' },
  'risks.tasks': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner'], orgKinds: ISMS_ORGS, description: 'Update the status of treatment tasks' },
});
