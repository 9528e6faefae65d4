import { defineErrors } from '../../core/errors.js';

export const CorrectiveActionErrors = defineErrors({
  CORRECTIVE_ACTION_NOT_FOUND: { status: 404, message: 'Corrective action not found' },
  CORRECTIVE_ACTION_OWNER_INVALID: { status: 400, message: 'The owner must be a member of your organisation' },
});
