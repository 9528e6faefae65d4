import { defineErrors } from '../../core/errors.js';

export const ControlErrors = defineErrors({
  CONTROL_NOT_FOUND: { status: 404, message: 'Applied control not found' },
  EVIDENCE_NOT_FOUND: { status: 404, message: 'Evidence not found' },
  CHECK_NOT_FOUND: { status: 404, message: 'Control check not found' },
  CONTROL_REF_TAKEN: { status: 409, message: 'Another applied control already has this reference' },
  EVIDENCE_REVIEW_NOT_OWNER: { status: 403, message: 'Only the owner of a control this evidence supports may review it' },
  CHECK_DONE: { status: 409, message: 'This check is already recorded' },
});
