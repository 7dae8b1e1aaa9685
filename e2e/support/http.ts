/** Requests as real clients send them, including the malformed ones. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64, VERIFY_PATH } from '@silentid/client';

export { VERIFY_PATH };
/** The two halves of the main endpoint, as the vendor's API family has them. */
export const LIVENESS_PATH = '/liveness/silent_detection/stateless';
export const IMAGES_PATH = '/identity/image_verification/stateless';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly json: Record<string, unknown>;
}

/** An error answer: its status, its code, a message (matching `message` when given) and a request id. */
export function expectError(r: Reply, status: number, code: number, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.code, code, JSON.stringify(r.json));
  assert.equal(typeof r.json.message, 'string');
  assert.equal(typeof r.json.request_id, 'string');
  if (message) assert.match(String(r.json.message), message);
}

export const seal = (bytes: Uint8Array, key = DEFAULT_KEY, nonce = DEFAULT_NONCE): string =>
  sealToBase64(bytes, key, nonce);

/** POSTs an urlencoded form (URLSearchParams encodes '+' as %2B, as --data-urlencode does). */
export async function postForm(
  base: string,
  fields: Record<string, string>,
  path = VERIFY_PATH,
): Promise<Reply> {
  const res = await fetch(new URL(path, base), {
    method: 'POST',
    body: new URLSearchParams(fields),
  });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers) as http.IncomingHttpHeaders,
    json: (await res.json()) as Record<string, unknown>,
  };
}

/** POSTs a multipart form; values given as Blob travel as file parts. */
export async function postMultipart(
  base: string,
  fields: Record<string, string | Blob>,
  path = VERIFY_PATH,
): Promise<Reply> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(new URL(path, base), { method: 'POST', body: form });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers) as http.IncomingHttpHeaders,
    json: (await res.json()) as Record<string, unknown>,
  };
}

/**
 * A raw request: exact headers and a body written as given (or none), for the cases
 * fetch will not produce (a lying Content-Length, no length at all, curl's raw '+').
 */
export function rawRequest(
  base: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
    endEarly?: boolean;
  },
): Promise<Reply> {
  const url = new URL(opts.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method,
        path: url.pathname,
        headers: opts.headers ?? {},
      },
      (res) => resolve(readReply(res)),
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    if (!opts.endEarly) req.end();
  });
}

/**
 * A POST of an urlencoded form sent in two parts: the headers (with the whole body's
 * Content-Length) and the first half of the body now, the rest on `finish()`; or never,
 * when `abandon()` closes the connection. It holds a request at a known point (admitted
 * or queued, its body not yet read) for as long as a test needs, with no timing.
 */
export function heldRequest(
  base: string,
  path: string,
  fields: Record<string, string>,
): { reply: Promise<Reply>; finish(): void; abandon(): void } {
  const url = new URL(path, base);
  const body = Buffer.from(new URLSearchParams(fields).toString());
  const half = Math.floor(body.length / 2);
  let req!: http.ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': body.length,
        },
        agent: false, // its own connection, closed after the answer: nothing lingers
      },
      (res) => resolve(readReply(res)),
    );
    req.on('error', reject);
    req.write(body.subarray(0, half));
  });
  reply.catch(() => {}); // an abandoned request's error is expected; await reply to see it
  return {
    reply,
    finish: () => req.end(body.subarray(half)),
    abandon: () => req.destroy(),
  };
}

/** The value of an unlabelled Prometheus sample on /metrics (a gauge: in flight, queue depth). */
export async function metricValue(base: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', base))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function readReply(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let data = '';
    res.on('data', (d: Buffer) => (data += d.toString()));
    res.on('error', reject);
    res.on('end', () => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(data) as Record<string, unknown>;
      } catch {
        json = { raw: data };
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
    });
  });
}

/** Whether a new TCP connection to `base` is refused now (the listener is closed). */
export function connectionRefused(base: string): Promise<boolean> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNREFUSED' ? resolve(true) : reject(err),
    );
  });
}

/** Writes bytes on a bare socket and returns everything the server answers. */
export function rawSocket(base: string, request: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}
