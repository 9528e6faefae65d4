import { defineErrors } from '../../core/errors.js';

export const AssetErrors = defineErrors({
  ASSET_NOT_FOUND: { status: 404, message: 'Asset not found' },
  ASSET_EXISTS: { status: 409, message: 'An asset with this name exists' },
  ASSET_IN_USE: { status: 409, message: 'The asset is referenced elsewhere (risks, incidents); unlink it first or retire it' },
  ASSET_IMPORT_INVALID: { status: 400, message: 'The import file has errors; nothing was written' },
});
