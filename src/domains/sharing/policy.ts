import { definePolicy } from '../../core/access/index.js';

const INTEL_READERS = ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer', 'supervisor'] as const;

export const SharingActions = definePolicy({
  'sharing_groups.read': { roles: [...INTEL_READERS], description: 'See the sharing groups the acting org runs or belongs to' },
  'sharing_groups.manage': { roles: ['org_admin', 'cert_analyst'], description: 'Create sharing groups and change their members' },
});
