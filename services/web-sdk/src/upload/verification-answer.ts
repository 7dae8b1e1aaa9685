/**
 * The service's answer to a verification (docs/api.md), as the SDK returns it, and the
 * meaning of its verification score.
 */

/** One liveness cue: its measurement and its probability-like evidence. */
export interface LivenessCue {
  readonly value: number;
  readonly evidence: number;
}

/** `liveness_details`, with `return_details`. */
export interface LivenessDetails {
  readonly threshold: number;
  readonly sampled_frames: number;
  readonly tracked_frames: number;
  /** Frames after the first window searched for a blink; 0 when there was no search. */
  readonly blink_search_frames: number;
  readonly cues: {
    readonly non_planar_motion: LivenessCue;
    readonly blink: LivenessCue;
    readonly presentation_attack: LivenessCue;
  };
  /** The cue whose evidence is liveness_score. */
  readonly decided_by: 'non_planar_motion' | 'blink' | 'presentation_attack';
  /**
   * How the clip was filmed: face skin luma (0–255), eye distance in pixels, and the share
   * of frames whose face reached the frame's border.
   */
  readonly conditions: {
    readonly face_brightness: number;
    readonly face_size_px: number;
    readonly face_cut_by_frame: number;
  };
  /** When it failed, what the person could change. */
  readonly hints: readonly LivenessHint[];
}

/** `liveness_details.hints` (docs/api.md). */
export type LivenessHint = 'low_light' | 'too_still' | 'not_direct' | 'face_cut_off';

/** A normal answer (code 1000). `passed` is the liveness decision. */
export interface VerificationAnswer {
  readonly code: 1000;
  readonly passed: boolean;
  readonly liveness_score: number;
  readonly liveness_status?: 'ok' | 'hack' | 'short_time';
  /** Only when passed. */
  readonly verification_score?: number;
  readonly image_timestamp?: number;
  /** The selected frame (JPEG, Base64), when passed and asked for. */
  readonly base64_image?: string;
  /** Its face crop (JPEG, Base64), when passed and asked for. */
  readonly base64_face_image?: string;
  readonly liveness_details?: LivenessDetails;
  readonly request_id: string;
}

/** The threshold the service's docs and CLI use: a false-match rate of 1 in 10,000. */
export const DEFAULT_MATCH_THRESHOLD = 0.7;

/**
 * The false-match rate of a threshold at this score: the service calibrates
 * verification_score so that s ↔ 10^(3 − 10·s) on [0.4, 0.9] (0.7 ↔ 1 in 10,000).
 * Outside that range the table says nothing, so the rate is clamped to its ends.
 */
export function falseMatchRate(score: number): number {
  const s = Math.min(0.9, Math.max(0.4, score));
  return 10 ** (3 - 10 * s);
}

/** "1 in 10,000" for 1e-4. */
export function describeRate(rate: number): string {
  if (rate >= 1) return 'every impostor';
  return `1 in ${Math.round(1 / rate).toLocaleString('en-US')}`;
}
