import { defineErrors } from '../../core/errors.js';

export const SoaErrors = defineErrors({
  SOA_REQUIREMENT_NOT_FOUND: { status: 404, message: 'No such requirement in this framework' },
  SOA_VERSION_NOT_FOUND: { status: 404, message: 'SoA version not found' },
  SOA_INCOMPLETE: { status: 409, message: 'Every control needs an applicability decision with a justification before the SoA can be approved' },
});
