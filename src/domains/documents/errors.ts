import { defineErrors } from '../../core/errors.js';

export const DocumentErrors = defineErrors({
  DOCUMENT_NOT_FOUND: { status: 404, message: 'Document not found' },
  DOCUMENT_VERSION_NOT_FOUND: { status: 404, message: 'Document version not found' },
  DOCUMENT_CAMPAIGN_NOT_FOUND: { status: 404, message: 'Acknowledgement campaign not found' },
  DOCUMENT_WRONG_STATE: { status: 409, message: 'The document is not in a state that allows this' },
  DOCUMENT_SELF_APPROVAL: { status: 403, message: 'The author of a version cannot approve it; another approver must sign off' },
  DOCUMENT_NOT_PUBLISHED: { status: 409, message: 'The document has no published version' },
});
