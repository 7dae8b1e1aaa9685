import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../observability/logger.js';
import type { AppEnv } from '../context.js';

/** An incoming id is honoured only if it is a sane token: it ends up in logs and JSON. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets the request id (X-Request-Id in and out) and a child logger carrying it. */
export function requestId(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming !== undefined && SANE_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.set('log', log.child({ requestId: id }));
    c.header('X-Request-Id', id);
    await next();
  };
}
