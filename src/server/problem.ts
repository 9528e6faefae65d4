import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, E, type FieldProblem } from '../core/errors.js';

/** Renders any thrown error as RFC 9457 problem+json with a stable code and the request id. */
export function problemHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appErr = toAppError(err);
  if (appErr.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: appErr.code, status: appErr.status }, appErr.message);
  if (appErr.headers) void reply.headers(appErr.headers);
  return reply
    .status(appErr.status)
    .type('application/problem+json')
    .send({
      type: `https://muhafiz.dev/problems/${appErr.code.toLowerCase().replaceAll('_', '-')}`,
      title: appErr.message,
      status: appErr.status,
      code: appErr.code,
      detail: appErr.message,
      instance: req.url.split('?')[0],
      requestId: req.id,
      ...(appErr.errors ? { errors: appErr.errors } : {}),
    });
}

function toAppError(err: FastifyError | Error): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body';
    const errors: FieldProblem[] = err.validation.flatMap((v) => {
      const base = [where, ...v.instancePath.split('/').filter(Boolean)].join('.');
      // The zod issue code arrives as `keyword`, the rest of the issue (its `keys`) as `params`.
      const keys = (v.params as { keys?: unknown }).keys;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
        return keys.map((key) => ({ path: `${base}.${String(key)}`, message: 'unknown field' }));
      }
      return [{ path: base, message: v.message ?? 'invalid' }];
    });
    const first = errors[0];
    return E.VALIDATION_FAILED(first ? `${first.path}: ${first.message}` : 'The request is not valid', errors);
  }
  if (isResponseSerializationError(err)) return E.INTERNAL();
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return E.MALFORMED_JSON(`The request body is not valid JSON: ${fe.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return E.PAYLOAD_TOO_LARGE();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return E.UNSUPPORTED_MEDIA_TYPE(`Unsupported content type; send application/json`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return E.BAD_REQUEST('Content-Length does not match the body');
    case 'FST_REQ_FILE_TOO_LARGE':
      return E.PAYLOAD_TOO_LARGE('The uploaded file is too large');
    default:
      break;
  }
  if (fe.statusCode === 429) return E.RATE_LIMITED();
  if (fe.statusCode === 413) return E.PAYLOAD_TOO_LARGE();
  if (fe.statusCode === 415) return E.UNSUPPORTED_MEDIA_TYPE();
  if (fe.statusCode === 404) return E.NOT_FOUND();
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AppError('BAD_REQUEST', fe.statusCode, fe.message);
  return E.INTERNAL();
}
