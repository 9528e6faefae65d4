import { definePolicy } from '../../core/access/index.js';

export const TenancyActions = definePolicy({
  'orgs.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'staff', 'cert_analyst', 'cert_duty_officer', 'supervisor', 'external_auditor', 'viewer'], description: 'See the directory of organisations' },
  'orgs.update': { roles: ['org_admin'], description: "Change the acting org's name and settings (e.g. mandatory MFA)" },
  'orgs.create': { roles: [], platform: true, description: 'Create organisations (platform administrators)' },
  'orgs.relate': { roles: [], platform: true, description: 'Set who supervises or serves whom (platform administrators)' },
  'members.read': { roles: ['org_admin', 'isms_manager', 'risk_owner', 'control_owner', 'internal_auditor', 'staff', 'cert_analyst', 'cert_duty_officer', 'supervisor', 'viewer'], description: 'See the people of the acting org' },
  'members.manage': { roles: ['org_admin'], description: 'Change roles and remove members' },
  'invitations.manage': { roles: ['org_admin'], description: 'Invite people by link and revoke invitations' },
  'users.create': { roles: [], platform: true, description: 'Create user accounts directly (platform administrators)' },
  'audit.read': { roles: ['org_admin'], description: "Browse and export the acting org's audit log" },
  'outbox.read': { roles: ['org_admin'], description: "Read the acting org's outgoing mail" },
  'jobs.read': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer'], description: 'See progress of background jobs started in the org' },
});
