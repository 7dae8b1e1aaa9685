import type { MiddlewareHandler } from 'hono';
import { invalidArgument } from '../../errors/api-error.js';

/**
 * 411 for a body-carrying request that declares neither Content-Length nor chunked
 * transfer: without one of them the body limit could not be enforced while streaming.
 */
export const requireLength: MiddlewareHandler = async (c, next) => {
  const hasLength = c.req.header('content-length') !== undefined;
  const chunked = /\bchunked\b/i.test(c.req.header('transfer-encoding') ?? '');
  if (!hasLength && !chunked) throw invalidArgument('Content-Length is required', 411);
  await next();
};
