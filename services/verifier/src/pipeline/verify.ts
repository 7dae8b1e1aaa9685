/**
 * The use case of POST /identity/silent_image_verification/stateless, without HTTP:
 * photo and video bytes (already decrypted) in, the seed's answer out. A CLI, the
 * benchmark and the evaluation call this directly.
 */
import type { PhotoOptions } from './analyse-photo.js';
import { calibratedScore } from './calibrated-score.js';
import { checkLiveness, type LivenessOutcome, type LivenessRequest } from './check-liveness.js';
import { photoFace } from './photo-face.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StageTimer } from './stage-timer.js';

export type { LivenessStatus } from './check-liveness.js';
export type VerifyDeps = PipelineDeps;

export interface VerifyRequest extends PhotoOptions, LivenessRequest {
  readonly photo: Uint8Array;
}

export interface VerifyOutcome extends Omit<LivenessOutcome, 'best'> {
  /** Present only when passed. */
  readonly verificationScore?: number;
  /** The raw similarity behind it (vision/face-matcher.ts). */
  readonly similarity?: number;
}

export async function verify(
  deps: PipelineDeps,
  req: VerifyRequest,
  timer: StageTimer,
  signal?: AbortSignal,
): Promise<VerifyOutcome> {
  // One failing half stops the other: no decode keeps running for a request that failed.
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const photoWork = photoFace(deps, 'encrypted_image', req.photo, req, timer);
    const livenessWork = checkLiveness(deps, req, timer, abort.signal);
    const [photo, liveness] = await Promise.all([photoWork, livenessWork]).catch((err: unknown) => {
      abort.abort();
      // Settle both so no rejection goes unobserved.
      return Promise.allSettled([photoWork, livenessWork]).then(() => Promise.reject(err));
    });
    const { best, ...outcome } = liveness;
    if (!outcome.passed || best === undefined) return outcome;
    const { models } = deps;
    const frame = await timer.time('embed', () =>
      models.matcher.template(best.frame.image, best.face),
    );
    const similarity = models.matcher.similarity(photo.template, frame);
    return { ...outcome, verificationScore: calibratedScore(deps, similarity), similarity };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
