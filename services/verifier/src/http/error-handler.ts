import type { Context } from 'hono';
import { ApiCode, ApiError } from '../errors/api-error.js';
import type { AppEnv } from './context.js';

/**
 * The one place an error becomes a response: `{code, message, request_id}` with the
 * code's HTTP status. Anything that is not an ApiError is a fault of ours: 5000, logged
 * with its stack (never with request data), and its message is not shown to the client
 * (a decoder killed from outside, media/video/run-process.ts, is one).
 */
export function errorResponse(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId') ?? '';
  const apiError = toApiError(err, c);
  if (apiError.code === ApiCode.internal) c.get('log')?.error({ err }, 'unhandled error');
  // A 503 with a cause is a pod condition an operator must see (temp space full); the
  // queue's own 5003s have none and are counted, not logged, so that overload is not noise.
  else if (apiError.status >= 500 && apiError.cause !== undefined)
    c.get('log')?.warn({ err: apiError.cause }, apiError.message);
  for (const [k, v] of Object.entries(apiError.headers)) c.header(k, v);
  return c.json(
    { code: apiError.code, message: apiError.message, request_id: requestId },
    apiError.status,
  );
}

function toApiError(err: unknown, c: Context<AppEnv>): ApiError {
  if (err instanceof ApiError) return err;
  // The client closed the connection mid-request: its work was cancelled on purpose.
  // Nobody reads this answer; it must not count as a fault of ours.
  if (c.req.raw.signal.aborted)
    return new ApiError(ApiCode.invalidArgument, 'the client closed the connection');
  return new ApiError(ApiCode.internal, 'internal error', { cause: err });
}
