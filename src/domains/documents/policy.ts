import { definePolicy } from '../../core/access/index.js';

const ISMS_ORGS = ['regulated_entity', 'service_provider', 'regulator', 'cert'] as const;
const EVERYONE = ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'staff', 'viewer', 'external_auditor', 'cert_analyst', 'cert_duty_officer', 'supervisor'] as const;

export const DocumentActions = definePolicy({
  'documents.read': { roles: EVERYONE, orgKinds: ISMS_ORGS, description: 'Read published policies and documents (editors also see drafts)' },
  'documents.write': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner'], orgKinds: ISMS_ORGS, description: 'Create documents, edit drafts, start new versions, submit for review' },
  'documents.approve': { roles: ['org_admin', 'isms_manager'], orgKinds: ISMS_ORGS, description: "Approve or reject a version (never one's own), publish and retire" },
  'documents.campaigns': { roles: ['org_admin', 'isms_manager'], orgKinds: ISMS_ORGS, description: 'Run acknowledgement campaigns and send reminders' },
  'documents.acknowledge': { roles: EVERYONE, orgKinds: ISMS_ORGS, description: 'Acknowledge having read the published version of a document' },
});
