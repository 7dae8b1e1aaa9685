/**
 * The SDK's one error type. Every failure a page must handle (the camera, a check
 * before upload, the key, the network, the service's own error codes) is a
 * SilentIdError whose `reason` tells them apart and whose message can be shown as is.
 */

/** Why a capture or a verification did not go through. */
export type SilentIdReason =
  /** The person or the browser refused the camera. */
  | 'camera-denied'
  /** No camera, or none that meets the constraints. */
  | 'no-camera'
  /** The camera exists but another program holds it, or it failed to start. */
  | 'camera-unavailable'
  /** getUserMedia exists only on https:// pages and on http://localhost. */
  | 'insecure-context'
  /** This browser lacks getUserMedia, MediaRecorder or WebCrypto. */
  | 'unsupported'
  /** Checks before upload: the recording is too short or too long. */
  | 'too-short'
  | 'too-long'
  /** Checks before upload: no face large enough in most of the recording. */
  | 'no-face'
  /** Checks before upload: the face was too dark or too bright to judge. */
  | 'bad-light'
  /** The key or nonce is not the wire format's 32 and 12 UTF-8 bytes. */
  | 'bad-key'
  /** The caller passed something unusable (say, no photo for the service's own form). */
  | 'bad-input'
  /** Nothing answered (offline, wrong URL, CORS). */
  | 'network'
  /** The service answered with an error code (`code`, `status` and `requestId` are set). */
  | 'service'
  /** Something answered, but not with the service's JSON (a proxy's error page). */
  | 'bad-reply'
  /** The caller's AbortSignal fired. */
  | 'aborted';

export interface SilentIdErrorDetails {
  /** The service's error code (1200, 2005, 4000, …) when `reason` is `service`. */
  readonly code?: number;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** The service's request id, to quote in a support request. */
  readonly requestId?: string;
  readonly cause?: unknown;
}

export class SilentIdError extends Error {
  override readonly name = 'SilentIdError';
  readonly reason: SilentIdReason;
  readonly code: number | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(reason: SilentIdReason, message: string, details: SilentIdErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.code = details.code;
    this.status = details.status;
    this.requestId = details.requestId;
  }
}
