import { definePolicy } from '../../core/access/index.js';

export const AssetActions = definePolicy({
  'assets.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'viewer', 'external_auditor'], orgKinds: ['regulated_entity', 'service_provider', 'regulator', 'cert'], description: "See the org's asset inventory" },
  'assets.manage': { roles: ['org_admin', 'isms_manager'], orgKinds: ['regulated_entity', 'service_provider', 'regulator', 'cert'], description: 'Create, change, delete, import and export assets' },
});
