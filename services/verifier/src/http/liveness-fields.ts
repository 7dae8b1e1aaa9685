/** The liveness part of a response, shared by the verification and liveness endpoints. */
import type { Metrics } from '../observability/metrics.js';
import type { LivenessOutcome } from '../pipeline/check-liveness.js';

type Outcome = Omit<LivenessOutcome, 'best'>;

/** `passed`, `liveness_score` and, when asked for, `liveness_status`. */
export function livenessFields(o: Outcome, returnStatus: boolean): Record<string, unknown> {
  return {
    passed: o.passed,
    liveness_score: o.livenessScore,
    ...(returnStatus ? { liveness_status: o.livenessStatus } : {}),
  };
}

/**
 * `liveness_details` (with `return_details`, not in the seed): each cue's measurement and
 * its evidence, so an operator can see why a video failed. Figures only, never pixels.
 * Absent when no cue was measured (a `short_time` clip).
 */
export function livenessDetails(o: Outcome): Record<string, unknown> {
  const r = o.liveness;
  if (r === undefined) return {};
  const { cues, evidence } = r;
  const cue = (value: number, ev: number) => ({ value: round(value), evidence: round(ev) });
  return {
    liveness_details: {
      threshold: r.threshold,
      sampled_frames: r.sampledFrames,
      tracked_frames: cues.trackedFrames,
      // liveness_score = min(max(motion, blink), direct): docs/liveness.md.
      cues: {
        non_planar_motion: cue(cues.nonPlanarMotion, evidence.motion),
        blink: cue(cues.blinkDepth, evidence.blink),
        presentation_attack: cue(cues.presentationAttack, evidence.direct),
      },
    },
  };
}

const round = (v: number): number => Math.round(v * 10_000) / 10_000;

/** The selected frame and its face clipping, only when passed and asked for. */
export function livenessImages(o: Outcome): Record<string, unknown> {
  return {
    ...(o.passed && o.selectedFrame !== undefined
      ? {
          image_timestamp: o.selectedFrame.timestamp,
          base64_image: o.selectedFrame.jpeg.toString('base64'),
        }
      : {}),
    ...(o.passed && o.faceImage !== undefined
      ? { base64_face_image: o.faceImage.toString('base64') }
      : {}),
  };
}

/** Counts the decision and its score: the operator compares them between model versions. */
export function recordLiveness(metrics: Metrics, modelVersion: string, o: Outcome): void {
  metrics.livenessDecisions.labels(modelVersion, String(o.passed)).inc();
  metrics.livenessScore.labels(modelVersion).observe(o.livenessScore);
}
