import type { Logger } from '../observability/logger.js';

/** Per-request values the middleware sets and the handlers read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** The client's address (TRUST_PROXY-aware); undefined without a socket (app.request). */
    client: string | undefined;
  };
}
