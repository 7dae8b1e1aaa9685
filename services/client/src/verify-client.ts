/**
 * A typed client for POST /identity/silent_image_verification/stateless: encrypts like
 * the vendor's Java class and sends the seed's urlencoded form.
 */
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64 } from './wire-cipher.js';

export interface VerifyParams {
  readonly photo: Uint8Array;
  readonly video: Uint8Array;
  readonly autoRotate?: boolean;
  readonly checkQuality?: boolean;
  readonly returnImage?: boolean;
  readonly returnFaceImage?: boolean;
  readonly returnStatus?: boolean;
}

export interface ClientOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  readonly key?: string;
  readonly nonce?: string;
  readonly signal?: AbortSignal;
}

/** The service's JSON: a normal answer (code 1000) or an error. */
export type VerifyResponse =
  | {
      code: 1000;
      passed: boolean;
      liveness_score: number;
      liveness_status?: 'ok' | 'hack' | 'short_time';
      verification_score?: number;
      image_timestamp?: number;
      base64_image?: string;
      base64_face_image?: string;
      request_id: string;
    }
  | { code: number; message: string; request_id: string };

export const VERIFY_PATH = '/identity/silent_image_verification/stateless';

/** The URL answered, but not with the service's JSON (e.g. a proxy's HTML error page). */
export class UnexpectedReplyError extends Error {
  override name = 'UnexpectedReplyError';
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status} without a JSON answer`);
    this.status = status;
  }
}

/**
 * Sends one verification. Rejects with fetch's TypeError ("fetch failed") when no
 * connection could be made, and with UnexpectedReplyError when the answer is not JSON.
 */
export async function verifyRemote(
  params: VerifyParams,
  opts: ClientOptions,
): Promise<{ status: number; body: VerifyResponse }> {
  const key = opts.key ?? DEFAULT_KEY;
  const nonce = opts.nonce ?? DEFAULT_NONCE;
  const form = new URLSearchParams({
    encrypted_video: sealToBase64(params.video, key, nonce),
    encrypted_image: sealToBase64(params.photo, key, nonce),
  });
  const flags: [string, boolean | undefined][] = [
    ['auto_rotate', params.autoRotate],
    ['check_quality', params.checkQuality],
    ['return_image', params.returnImage],
    ['return_face_image', params.returnFaceImage],
    ['return_status', params.returnStatus],
  ];
  for (const [name, value] of flags) if (value !== undefined) form.set(name, String(value));
  const res = await fetch(new URL(VERIFY_PATH, opts.url), {
    method: 'POST',
    body: form,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  const body = (await res.json().catch(() => undefined)) as VerifyResponse | undefined;
  if (typeof body?.code !== 'number') throw new UnexpectedReplyError(res.status);
  return { status: res.status, body };
}
