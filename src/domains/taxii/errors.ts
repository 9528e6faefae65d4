import { defineErrors } from '../../core/errors.js';

export const TaxiiErrors = defineErrors({
  TAXII_COLLECTION_NOT_FOUND: { status: 404, message: 'Collection not found' },
  TAXII_OBJECT_NOT_FOUND: { status: 404, message: 'Object not found' },
  TAXII_STATUS_NOT_FOUND: { status: 404, message: 'Status not found' },
  TAXII_FORBIDDEN: { status: 403, message: 'You may not write to this collection' },
  TAXII_BAD_REQUEST: { status: 400, message: 'The request is not valid' },
  TAXII_NOT_ACCEPTABLE: { status: 406, message: 'Send Accept: application/taxii+json;version=2.1' },
  TAXII_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send Content-Type: application/taxii+json;version=2.1' },
  INTEL_FEED_NOT_FOUND: { status: 404, message: 'Feed not found' },
  INTEL_FEED_INVALID: { status: 400, message: 'The feed settings are not valid' },
});
