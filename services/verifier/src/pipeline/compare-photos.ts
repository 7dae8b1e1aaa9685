/**
 * The use case of POST /identity/image_verification/stateless: two photos, how likely
 * they show the same person. The verification half of the main endpoint, alone.
 */
import type { PhotoOptions } from './analyse-photo.js';
import { calibratedScore } from './calibrated-score.js';
import { photoFace } from './photo-face.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StageTimer } from './stage-timer.js';

export interface CompareRequest extends PhotoOptions {
  readonly first: Uint8Array;
  readonly second: Uint8Array;
}

export interface CompareOutcome {
  readonly verificationScore: number;
  /** The raw similarity behind it (vision/face-matcher.ts). */
  readonly similarity: number;
}

export async function comparePhotos(
  deps: PipelineDeps,
  req: CompareRequest,
  timer: StageTimer,
): Promise<CompareOutcome> {
  const [a, b] = await Promise.allSettled([
    photoFace(deps, 'first_encrypted_image', req.first, req, timer),
    photoFace(deps, 'second_encrypted_image', req.second, req, timer),
  ]);
  // Both are checked; the first field's problem is reported first, whichever finished first.
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  const similarity = deps.models.matcher.similarity(a.value.template, b.value.template);
  return { verificationScore: calibratedScore(deps, similarity), similarity };
}
