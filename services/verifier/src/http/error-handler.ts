import type { Context } from 'hono';
import { ApiCode, ApiError } from '../errors/api-error.js';
import type { AppEnv } from './context.js';

/**
 * The one place an error becomes a response: `{code, message, request_id}` with the
 * code's HTTP status. Anything that is not an ApiError is a fault of ours: 5000, logged
 * with its stack (never with request data), and its message is not shown to the client.
 */
export function errorResponse(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId') ?? '';
  const apiError =
    err instanceof ApiError ? err : new ApiError(ApiCode.internal, 'internal error', { cause: err });
  if (!(err instanceof ApiError)) c.get('log')?.error({ err }, 'unhandled error');
  for (const [k, v] of Object.entries(apiError.headers)) c.header(k, v);
  return c.json({ code: apiError.code, message: apiError.message, request_id: requestId }, apiError.status);
}
