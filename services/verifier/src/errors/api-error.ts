/**
 * The one error type of the verifier. Code throws it; the HTTP error handler is the
 * only place that turns it into a response (see http/error-handler.ts).
 */

/** API response codes of the seed document plus the operational ones of API.md. */
export const ApiCode = {
  ok: 1000,
  invalidArgument: 1200,
  replayed: 1201,
  rateLimited: 1300,
  lockedOut: 1301,
  invalidImageSize: 2003,
  invalidContentLength: 2004,
  invalidImageType: 2005,
  detectionFailed: 4000,
  faceOcclusion: 4004,
  livenessCheckFailed: 4007,
  internal: 5000,
  saturated: 5003,
} as const;
export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

/** HTTP status per code, for the common case; a thrower may override it (404, 405, 411, 413). */
const defaultStatus: Record<ApiCode, number> = {
  1000: 200,
  1200: 400,
  1201: 409,
  1300: 429,
  1301: 429,
  2003: 400,
  2004: 400,
  2005: 400,
  4000: 400,
  4004: 400,
  4007: 400,
  5000: 500,
  5003: 503,
};

export type HttpStatus = 400 | 404 | 405 | 409 | 411 | 413 | 429 | 500 | 503;

/**
 * Why an error happened, where a caller must tell causes apart that share a code: the
 * failure lock-out counts a GCM tag that fails under every key (a guessed key or altered
 * data), not other 1200s (http/abuse/lockout.ts).
 */
export type ApiErrorReason = 'undecryptable';

export class ApiError extends Error {
  readonly code: ApiCode;
  readonly status: HttpStatus;
  /** Extra response headers, e.g. Retry-After on 5003. */
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: ApiErrorReason | undefined;

  constructor(
    code: ApiCode,
    message: string,
    options: {
      status?: HttpStatus;
      headers?: Record<string, string>;
      cause?: unknown;
      reason?: ApiErrorReason;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? (defaultStatus[code] as HttpStatus);
    this.headers = options.headers ?? {};
    this.reason = options.reason;
  }
}

/** Shorthands, so call sites read as the spec's table does. */
export const invalidArgument = (message: string, status?: HttpStatus): ApiError =>
  new ApiError(ApiCode.invalidArgument, message, status === undefined ? {} : { status });
export const invalidImageSize = (message: string): ApiError =>
  new ApiError(ApiCode.invalidImageSize, message);
export const invalidContentLength = (message: string, status?: HttpStatus): ApiError =>
  new ApiError(ApiCode.invalidContentLength, message, status === undefined ? {} : { status });
export const invalidMedia = (message: string, cause?: unknown): ApiError =>
  new ApiError(ApiCode.invalidImageType, message, { cause });
export const detectionFailed = (message: string): ApiError =>
  new ApiError(ApiCode.detectionFailed, message);
export const faceOcclusion = (message: string): ApiError =>
  new ApiError(ApiCode.faceOcclusion, message);
export const livenessCheckFailed = (message: string): ApiError =>
  new ApiError(ApiCode.livenessCheckFailed, message);
export const saturated = (retryAfterSeconds: number): ApiError =>
  new ApiError(ApiCode.saturated, 'the service is saturated; retry later', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
/**
 * The pod's temp space is full (ENOSPC, EDQUOT): like a full queue, a pod-local and
 * transient shortage (in-flight videos free their space as they finish; another pod has
 * its own), not the client's fault, so the same 503 + Retry-After as saturation.
 */
export const tempSpaceFull = (retryAfterSeconds: number, cause: unknown): ApiError =>
  new ApiError(ApiCode.saturated, 'the service is out of temporary space; retry later', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
    cause,
  });
export const replayed = (): ApiError =>
  new ApiError(
    ApiCode.replayed,
    'this request repeats one already answered, byte for byte: send freshly captured media',
  );
export const rateLimited = (retryAfterSeconds: number): ApiError =>
  new ApiError(ApiCode.rateLimited, 'too many requests from this client; retry later', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
export const lockedOut = (retryAfterSeconds: number): ApiError =>
  new ApiError(ApiCode.lockedOut, 'too many rejected attempts from this client; retry later', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/**
 * Names the request field an error is about, so that a failing check of one field never
 * reads as another's (API.md): "encrypted_image: the photo is not …". Other errors pass,
 * and so do the server's own conditions (5xx, e.g. temp space full): no field caused them.
 */
export function inField(field: string, err: unknown): unknown {
  if (!(err instanceof ApiError) || err.status >= 500) return err;
  return new ApiError(err.code, `${field}: ${err.message}`, {
    status: err.status,
    headers: { ...err.headers },
    cause: err.cause,
    reason: err.reason,
  });
}
