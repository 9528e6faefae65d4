import { defineErrors } from '../../core/errors.js';

export const AuthErrors = defineErrors({
  INVALID_CREDENTIALS: { status: 401, message: 'Email or password is wrong' },
  ACCOUNT_LOCKED: { status: 423, message: 'Too many failed sign-ins; the account is locked for a while' },
  ACCOUNT_DISABLED: { status: 401, message: 'Email or password is wrong' },
  MFA_CODE_INVALID: { status: 401, message: 'The code is wrong or was already used' },
  MFA_NOT_PENDING: { status: 409, message: 'No code is expected for this session' },
  MFA_ALREADY_ENABLED: { status: 409, message: 'Multi-factor authentication is already enabled' },
  MFA_NOT_STARTED: { status: 409, message: 'Start enrolment first' },
  MFA_REQUIRED_BY_ORG: { status: 409, message: 'An organisation you belong to requires multi-factor authentication' },
  PASSWORD_WEAK: { status: 400, message: 'The password does not meet the policy' },
  SESSION_NOT_FOUND: { status: 404, message: 'Session not found' },
  TOKEN_NOT_FOUND: { status: 404, message: 'API token not found' },
  TOKEN_ROLE_NOT_HELD: { status: 403, message: 'A token cannot carry a role you do not hold' },
  ORG_NOT_FOUND: { status: 404, message: 'Organisation not found' },
});
