import { defineErrors } from '../../core/errors.js';

export const AdvisoryErrors = defineErrors({
  ADVISORY_NOT_FOUND: { status: 404, message: 'Advisory not found' },
  ADVISORY_NOT_DRAFT: { status: 409, message: 'Only a draft advisory can be changed or published' },
  ADVISORY_NO_RECIPIENTS: { status: 400, message: 'The audience names no organisation your CERT serves' },
  ADVISORY_STIX_INVALID: { status: 400, message: 'A STIX indicator the advisory names is not one your organisation can see' },
});
