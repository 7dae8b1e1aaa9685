/**
 * Sends a photo and a recorded clip for verification as multipart/form-data, either
 * sealed in the service's wire format or plain to the integrator's own backend.
 *
 * The service's key never has to be in the page: with `plain`, the integrator's backend
 * holds it, seals and forwards; with `sealed`, the key comes from `key`, which may fetch
 * a short-lived per-session pair from that backend (docs/web-sdk.md).
 */
import { SilentIdError } from '../errors.js';
import { sealToBase64, type Plaintext, type WireKey } from '../crypto/wire-cipher.js';
import type { VerificationAnswer } from './verification-answer.js';

/** The service's verification path, relative (it works behind a path prefix). */
export const VERIFY_PATH = 'identity/silent_image_verification/stateless';

/** A key pair, or a function that fetches one (called once per submission). */
export type KeySource = WireKey | (() => Promise<WireKey>);

/** Where the clip goes and how. */
export type Transport =
  /**
   * The service's own form: `encrypted_image` and `encrypted_video`, sealed with `key`.
   * `url` is the service's verification URL, or a backend route that takes the same form.
   */
  | { readonly kind: 'sealed'; readonly url: string | URL; readonly key: KeySource }
  /**
   * Plain files `photo` and `video` (plus the same flags) to the integrator's backend,
   * which seals them with a key only it holds and forwards them (over TLS only).
   */
  | { readonly kind: 'plain'; readonly url: string | URL };

/** The service's optional flags (docs/api.md); all off unless set. */
export interface VerificationFlags {
  readonly autoRotate?: boolean;
  readonly checkQuality?: boolean;
  readonly returnImage?: boolean;
  readonly returnFaceImage?: boolean;
  readonly returnStatus?: boolean;
  /** Per-cue liveness figures: for development; see docs/web-sdk.md before showing them. */
  readonly returnDetails?: boolean;
}

export interface SubmitOptions {
  readonly transport: Transport;
  readonly flags?: VerificationFlags;
  readonly signal?: AbortSignal;
}

export interface VerificationMedia {
  /**
   * The reference photo (JPEG, PNG, …). Required by the service's form (`sealed`); with
   * `plain` it may be left out where the backend takes it from its own records, which is
   * where a real deployment keeps it: a photo from the page is whatever the user chose.
   */
  readonly photo?: Plaintext;
  /** The recorded clip (WebM or MP4). */
  readonly video: Plaintext;
}

const FLAG_FIELDS: readonly [keyof VerificationFlags, string][] = [
  ['autoRotate', 'auto_rotate'],
  ['checkQuality', 'check_quality'],
  ['returnImage', 'return_image'],
  ['returnFaceImage', 'return_face_image'],
  ['returnStatus', 'return_status'],
  ['returnDetails', 'return_details'],
];

/**
 * Posts one verification. Resolves with the service's code-1000 answer; rejects with a
 * SilentIdError: `service` (its code, status and request id set) for an error answer,
 * `network` when nothing answered, `bad-reply` for an answer that is not its JSON.
 */
export async function submitVerification(
  media: VerificationMedia,
  options: SubmitOptions,
): Promise<VerificationAnswer> {
  const form = await buildForm(media, options);
  let res: Response;
  try {
    res = await fetch(options.transport.url, {
      method: 'POST',
      body: form,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (err) {
    if (options.signal?.aborted) throw new SilentIdError('aborted', 'The upload was cancelled.');
    throw new SilentIdError('network', `Nothing answered at ${String(options.transport.url)}.`, {
      cause: err,
    });
  }
  return readAnswer(res);
}

async function buildForm(media: VerificationMedia, options: SubmitOptions): Promise<FormData> {
  const form = new FormData();
  const { transport } = options;
  if (transport.kind === 'sealed') {
    if (media.photo === undefined) {
      throw new SilentIdError('bad-input', "The service's form needs a photo: pass `photo`.");
    }
    const key = typeof transport.key === 'function' ? await transport.key() : transport.key;
    // The seed's field order: image, then video.
    form.set('encrypted_image', await sealToBase64(media.photo, key));
    form.set('encrypted_video', await sealToBase64(media.video, key));
  } else {
    if (media.photo !== undefined) form.set('photo', asBlob(media.photo), 'photo');
    form.set('video', asBlob(media.video), 'video');
  }
  for (const [flag, field] of FLAG_FIELDS) {
    const value = options.flags?.[flag];
    if (value !== undefined) form.set(field, String(value));
  }
  return form;
}

const asBlob = (p: Plaintext): Blob => (p instanceof Blob ? p : new Blob([p]));

async function readAnswer(res: Response): Promise<VerificationAnswer> {
  const body = (await res.json().catch(() => undefined)) as
    { code?: unknown; message?: unknown; request_id?: unknown } | undefined;
  if (typeof body?.code !== 'number') {
    throw new SilentIdError('bad-reply', `HTTP ${res.status} without the service's JSON.`, {
      status: res.status,
    });
  }
  if (body.code === 1000 && res.ok) return body as VerificationAnswer;
  const requestId = typeof body.request_id === 'string' ? body.request_id : undefined;
  throw new SilentIdError(
    'service',
    typeof body.message === 'string' ? body.message : `error code ${body.code}`,
    { code: body.code, status: res.status, ...(requestId === undefined ? {} : { requestId }) },
  );
}
