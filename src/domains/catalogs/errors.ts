import { defineErrors } from '../../core/errors.js';

export const CatalogErrors = defineErrors({
  CATALOG_NOT_FOUND: { status: 404, message: 'Framework not found' },
  CATALOG_REQUIREMENT_NOT_FOUND: { status: 404, message: 'Requirement not found in this framework' },
  CATALOG_OSCAL_INVALID: { status: 400, message: 'The file is not a valid OSCAL catalog' },
  CATALOG_KEY_RESERVED: { status: 409, message: 'This key belongs to a catalog shipped with Muhafiz; choose another key' },
});
