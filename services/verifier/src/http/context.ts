import type { Logger } from '../observability/logger.js';

/** Per-request values the middleware sets and the handlers read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
  };
}
