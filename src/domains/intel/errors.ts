import { defineErrors } from '../../core/errors.js';

export const IntelErrors = defineErrors({
  STIX_OBJECT_NOT_FOUND: { status: 404, message: 'STIX object not found' },
  STIX_BUNDLE_INVALID: { status: 400, message: 'The bundle is not valid STIX 2.1; nothing was imported' },
  STIX_IMPORT_NOT_FOUND: { status: 404, message: 'Import not found' },
  INTEL_INDICATOR_NOT_FOUND: { status: 404, message: 'Indicator not found' },
  WARNING_LIST_NOT_FOUND: { status: 404, message: 'Warning list not found' },
  OBSERVABLE_INVALID: { status: 400, message: 'The observable value is not valid for its kind' },
});
