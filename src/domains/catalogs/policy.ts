import { ROLES } from '../../core/access/index.js';
import { definePolicy } from '../../core/access/index.js';

export const CatalogActions = definePolicy({
  'catalogs.read': { roles: [...ROLES], description: 'Browse frameworks, requirements, attributes and mappings (reference data, the same for every organisation)' },
  'catalogs.import': { roles: [], platform: true, description: 'Import or replace an OSCAL catalog for the whole platform (platform administrators)' },
});
