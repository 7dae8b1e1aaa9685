/** Requests as real clients send them, including the malformed ones. */
import http from 'node:http';
import net from 'node:net';
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64, VERIFY_PATH } from '@silentid/client';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly json: Record<string, unknown>;
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
): Promise<Reply> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(new URL(VERIFY_PATH, base), { method: 'POST', body: form });
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
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(data) as Record<string, unknown>;
          } catch {
            json = { raw: data };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    if (!opts.endEarly) req.end();
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
