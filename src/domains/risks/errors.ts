import { defineErrors } from '../../core/errors.js';

export const RiskErrors = defineErrors({
  RISK_NOT_FOUND: { status: 404, message: 'Risk not found' },
  RISK_TASK_NOT_FOUND: { status: 404, message: 'Treatment task not found' },
  RISK_REVIEW_NOT_FOUND: { status: 404, message: 'Risk review not found' },
  RISK_METHOD_INVALID: { status: 400, message: 'The risk method is not consistent' },
  RISK_ACCEPTANCE_NOT_OWNER: { status: 403, message: 'Only the risk owner may sign off the acceptance of this risk' },
  RISK_CLOSED: { status: 409, message: 'The risk is closed; reopen it first' },
});
