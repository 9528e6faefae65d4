import { definePolicy } from '../../core/access/index.js';

/** Members "with intel access": the roles that read the threat exchange. */
export const INTEL_READERS = ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer', 'supervisor'] as const;

export const IntelActions = definePolicy({
  'intel.read': { roles: [...INTEL_READERS], description: 'Search and read threat intelligence visible to the acting org' },
  'intel.import': { roles: ['org_admin', 'cert_analyst', 'cert_duty_officer'], description: 'Import STIX bundles and add intelligence under the acting org' },
  'intel.sight': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer'], description: 'Report sightings and false positives on indicators' },
  'intel.watchlist': { roles: ['org_admin', 'isms_manager', 'cert_analyst', 'cert_duty_officer'], description: "Manage the acting org's watchlist and alert settings" },
  'intel.recorrelate': { roles: ['org_admin', 'cert_analyst'], description: 'Run a full re-correlation of the acting org\'s observables' },
  'warninglists.manage': { roles: [], platform: true, description: 'Edit the platform warning lists (platform administrators)' },
});
