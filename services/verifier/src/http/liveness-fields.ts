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
