import { defineErrors } from '../../core/errors.js';

export const SharingErrors = defineErrors({
  SHARING_GROUP_NOT_FOUND: { status: 404, message: 'Sharing group not found' },
  SHARING_RECIPIENT_NOT_FOUND: { status: 404, message: 'A recipient organisation or person was not found' },
  SHARING_INVALID: { status: 400, message: 'These sharing settings do not fit the TLP level' },
});
