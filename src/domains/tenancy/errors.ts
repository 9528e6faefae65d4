import { defineErrors } from '../../core/errors.js';

export const TenancyErrors = defineErrors({
  ORG_NOT_FOUND: { status: 404, message: 'Organisation not found' },
  ORG_EXISTS: { status: 409, message: 'An organisation with this short name exists' },
  MEMBER_NOT_FOUND: { status: 404, message: 'Member not found' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  USER_EXISTS: { status: 409, message: 'A user with this email exists' },
  INVITATION_NOT_FOUND: { status: 404, message: 'Invitation not found, expired, revoked or already used' },
  INVITATION_EMAIL_MISMATCH: { status: 403, message: 'This invitation was sent to another email address; sign in with that one' },
  ALREADY_MEMBER: { status: 409, message: 'This person is already a member of the organisation; change their roles instead' },
  LAST_ADMIN: { status: 409, message: 'The organisation must keep at least one org_admin' },
  ROLE_NOT_ALLOWED: { status: 400, message: 'This role does not exist in this kind of organisation' },
});
