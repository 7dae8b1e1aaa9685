/**
 * Sends one fuzz request on its own connection (no keep-alive: nothing lingers that
 * would read as a leaked descriptor) and classifies what comes back: an answer (status,
 * API code, Retry-After), a transport error, or no answer within the deadline.
 */
import http from 'node:http';
import type { FuzzRequest } from './cases.js';

export type Outcome =
  | {
      readonly kind: 'answer';
      readonly status: number;
      /** The JSON body's numeric `code`, or 'none' (Node's own 400/431, a HEAD, not JSON). */
      readonly code: number | 'none';
      readonly retryAfter: string | undefined;
      readonly ms: number;
    }
  | { readonly kind: 'error'; readonly error: string; readonly ms: number }
  | { readonly kind: 'timeout'; readonly ms: number };

const MAX_BODY = 1 << 20;

export function send(base: string, r: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  const url = new URL(base);
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    let status: number | undefined;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      resolve(o);
    };
    const answer = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let code: number | 'none' = 'none';
      try {
        const json = JSON.parse(text) as { code?: unknown };
        if (typeof json.code === 'number') code = json.code;
      } catch {
        // not JSON: 'none'
      }
      done({ kind: 'answer', status: status!, code, retryAfter, ms: ms() });
    };
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: r.method,
      path: r.path,
      headers: r.headers,
      agent: false,
    });
    timers.push(
      setTimeout(() => {
        done({ kind: 'timeout', ms: ms() });
        req.destroy();
      }, timeoutMs),
    );
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      const ra = res.headers['retry-after'];
      retryAfter = Array.isArray(ra) ? ra[0] : ra;
      let size = 0;
      res.on('data', (d: Buffer) => {
        if (size < MAX_BODY) chunks.push(d);
        size += d.length;
      });
      res.on('end', () => {
        answer();
        req.destroy(); // a body we stopped sending (declaredLength) ends here
      });
      res.on('error', answer);
      res.on('close', answer);
    });
    // The server may answer before it has read the body (411, 413, 405) and close: the
    // write then fails after the answer, which stands.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (status !== undefined) answer();
      else done({ kind: 'error', error: err.code ?? err.message, ms: ms() });
    });
    const body = r.body;
    if (body === undefined) {
      req.end();
    } else if (r.declaredLength !== undefined) {
      req.write(body);
    } else if (r.trickle !== undefined) {
      const { chunk, intervalMs } = r.trickle;
      const pieces = Math.ceil(body.length / chunk);
      for (let i = 0; i < pieces; i++) {
        const piece = body.subarray(i * chunk, (i + 1) * chunk);
        const last = i === pieces - 1;
        timers.push(
          setTimeout(() => {
            if (settled || req.destroyed) return;
            if (last) req.end(piece);
            else req.write(piece);
          }, i * intervalMs),
        );
      }
      if (pieces === 0) req.end();
    } else {
      req.end(body);
    }
  });
}
