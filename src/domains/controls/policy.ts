import { definePolicy } from '../../core/access/index.js';

const ISMS_ORGS = ['regulated_entity', 'service_provider', 'regulator', 'cert'] as const;
const READERS = ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'viewer', 'external_auditor'] as const;

export const ControlActions = definePolicy({
  'controls.read': { roles: READERS, orgKinds: ISMS_ORGS, description: 'See applied controls, their checks and evidence' },
  'controls.manage': { roles: ['org_admin', 'isms_manager', 'control_owner'], orgKinds: ISMS_ORGS, description: 'Create and change applied controls and their mappings to framework requirements' },
  'controls.evidence': { roles: ['org_admin', 'isms_manager', 'control_owner'], orgKinds: ISMS_ORGS, description: 'Upload or link evidence and record control checks' },
  'controls.review': { roles: ['org_admin', 'isms_manager', 'control_owner'], orgKinds: ISMS_ORGS, description: 'Review evidence (only as the owner of a control it supports)' },
});
