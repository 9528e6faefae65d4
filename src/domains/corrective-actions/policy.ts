import { definePolicy } from '../../core/access/index.js';

export const CorrectiveActionActions = definePolicy({
  'corrective_actions.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'viewer'], orgKinds: ['regulated_entity', 'service_provider', 'regulator', 'cert'], description: "Read the org's corrective actions" },
  'corrective_actions.manage': { roles: ['org_admin', 'isms_manager'], orgKinds: ['regulated_entity', 'service_provider', 'regulator', 'cert'], description: 'Create, assign and close corrective actions' },
});
