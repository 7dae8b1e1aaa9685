/** A failed API call, carrying the HTTP status and the Status object's reason. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** True for 404 NotFound. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeError && error.status === 404;
}

/** True for 409: a resourceVersion or field-ownership conflict, or AlreadyExists. */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeError && error.status === 409;
}

/** True for 410 Gone: a watch asked for history the server no longer keeps. */
export function isGone(error: unknown): boolean {
  return error instanceof KubeError && error.status === 410;
}
