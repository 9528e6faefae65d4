/**
 * Errors with stable machine codes. Each domain declares its codes once with
 * `defineErrors`, giving every code its HTTP status and a default message; the
 * HTTP layer renders any AppError as RFC 9457 problem+json.
 */

export interface FieldProblem {
  /** JSON path or `line:column` of the offending input, e.g. `body.email` or `row 7, column owner`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly errors?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

interface ErrorSpec {
  status: number;
  message: string;
}

const registry = new Map<string, ErrorSpec>();

type Factory = (message?: string, errors?: FieldProblem[]) => AppError;

/**
 * Declares a domain's error codes. Returns one factory per code:
 * `const E = defineErrors({ RISK_NOT_FOUND: { status: 404, message: 'Risk not found' } }); throw E.RISK_NOT_FOUND();`
 */
export function defineErrors<K extends string>(specs: Record<K, ErrorSpec>): Record<K, Factory> {
  const out = {} as Record<K, Factory>;
  for (const code of Object.keys(specs) as K[]) {
    const spec = specs[code];
    const prior = registry.get(code);
    if (prior && (prior.status !== spec.status || prior.message !== spec.message)) {
      throw new Error(`error code ${code} is declared twice with different meanings`);
    }
    registry.set(code, spec);
    out[code] = (message, errors) => new AppError(code, spec.status, message ?? spec.message, errors);
  }
  return out;
}

/** Every declared code (for docs/errors.md and the OpenAPI description). */
export function errorCatalog(): Array<{ code: string } & ErrorSpec> {
  return [...registry.entries()].map(([code, spec]) => ({ code, ...spec })).sort((a, b) => a.code.localeCompare(b.code));
}

/** Codes shared by every domain. */
export const E = defineErrors({
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  BAD_REQUEST: { status: 400, message: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in first' },
  SESSION_EXPIRED: { status: 401, message: 'Your session has expired; sign in again' },
  TOKEN_INVALID: { status: 401, message: 'The API token is invalid, expired or revoked' },
  MFA_REQUIRED: { status: 401, message: 'Enter the code from your authenticator app' },
  MFA_ENROLMENT_REQUIRED: { status: 403, message: 'Your organisation requires multi-factor authentication; enrol first' },
  CSRF_FAILED: { status: 403, message: 'Missing or wrong CSRF token; reload the page and try again' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'This conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; wait and try again' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side; the request id identifies it in the logs' },
  UNAVAILABLE: { status: 503, message: 'The service is not ready' },
});

/** Not found, with the resource kind in the message: also what another tenant's ids get. */
export function notFound(what: string, code = 'NOT_FOUND'): AppError {
  return new AppError(code, 404, `${what} not found`);
}

/** Throws VALIDATION_FAILED naming one field. */
export function invalid(path: string, message: string): AppError {
  return E.VALIDATION_FAILED(`${path}: ${message}`, [{ path, message }]);
}
