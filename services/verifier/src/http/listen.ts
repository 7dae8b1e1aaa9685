import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { HttpSettings } from '../config/config.js';

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  readonly http: Pick<HttpSettings, 'keepAliveTimeoutMs' | 'headersTimeoutMs' | 'requestTimeoutMs'>;
}

/**
 * How often Node looks for requests past their headers or request timeout: those two
 * are enforced with this granularity (Node's default, 30 s, would stretch a 66 s headers
 * timeout to 96 s). The keep-alive timeout is a socket timer of its own, exact.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * Serves `fetch` on the node:http server that @hono/node-server creates, with the
 * connection timeouts of the configuration (decision 0019): an idle keep-alive
 * connection stays open longer than any proxy in front keeps it, so the proxy, never
 * the pod, closes it, and never while sending a request on it (the sporadic 502s).
 * Resolves once listening.
 */
export function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  options: ListenOptions,
): Promise<Server> {
  const { keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs } = options.http;
  return new Promise((resolve, reject) => {
    // Without a createServer option, serve() makes a node:http Server.
    const server = serve(
      {
        fetch,
        port: options.port,
        hostname: options.host,
        serverOptions: {
          keepAliveTimeout: keepAliveTimeoutMs,
          headersTimeout: headersTimeoutMs,
          requestTimeout: requestTimeoutMs,
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
        },
      },
      () => {
        server.off('error', reject);
        resolve(server as Server);
      },
    );
    server.once('error', reject);
  });
}
