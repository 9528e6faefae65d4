import { definePolicy } from '../../core/access/index.js';

export const AuthActions = definePolicy({
  'tokens.read': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer', 'supervisor'], description: 'List API tokens of the org' },
  'tokens.create': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer', 'supervisor'], description: 'Create API tokens for oneself' },
  'tokens.revoke_any': { roles: ['org_admin'], description: "Revoke anyone's API token in the org" },
});
