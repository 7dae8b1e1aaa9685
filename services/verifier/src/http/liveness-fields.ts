/**
 * The liveness part of a response, shared by the verification and liveness endpoints:
 * the zod shapes that /openapi.json describes, and the functions that fill them.
 */
import { z } from 'zod';
import type { Metrics } from '../observability/metrics.js';
import type { LivenessOutcome } from '../pipeline/check-liveness.js';

type Outcome = Omit<LivenessOutcome, 'best'>;

const score = z.number().min(0).max(1);

/** `passed`, `liveness_score` and, with `return_status`, `liveness_status`. */
export const livenessDecisionShape = {
  passed: z.boolean().meta({ description: 'The liveness decision' }),
  liveness_score: score.meta({
    description: "passed is liveness_score ≥ the bundle's threshold (or LIVENESS_THRESHOLD)",
  }),
  liveness_status: z.enum(['ok', 'hack', 'short_time']).optional().meta({
    description: 'With return_status. short_time: under VIDEO_MIN_SECONDS (2 s), not analysed',
  }),
};

/** The selected frame and its face clipping, only when passed and asked for. */
export const livenessImagesShape = {
  image_timestamp: z
    .number()
    .optional()
    .meta({ description: 'With return_image, when passed: the selected frame, in seconds' }),
  base64_image: z
    .string()
    .optional()
    .meta({ description: 'With return_image, when passed: the selected frame (JPEG, Base64)' }),
  base64_face_image: z.string().optional().meta({
    description: 'With return_face_image, when passed: the face clipping (JPEG, Base64)',
  }),
};

const cue = z.object({
  value: z.number().meta({ description: "The cue's measurement" }),
  evidence: score.meta({ description: 'Its probability-like reading' }),
});

/** `liveness_details`, with `return_details` (not in the seed). */
export const livenessDetailsSchema = z
  .object({
    threshold: z.number(),
    sampled_frames: z.int(),
    tracked_frames: z.int(),
    blink_search_frames: z.int().meta({
      description:
        'Frames after the first window (VIDEO_MAX_FRAMES) in which the face was searched for a blink, when no movement was seen in it; 0 when there was no search',
    }),
    cues: z.object({ non_planar_motion: cue, blink: cue, presentation_attack: cue }),
    decided_by: z.enum(['non_planar_motion', 'blink', 'presentation_attack']).meta({
      description: 'The cue whose evidence is liveness_score',
    }),
    conditions: z.object({
      face_brightness: z.number().meta({ description: "Median luma (0–255) of the face's skin" }),
      face_size_px: z.number().meta({
        description: 'Median distance between the eyes, in pixels of the analysed frames',
      }),
      face_cut_by_frame: z.number().meta({
        description:
          "Share (0–1) of the analysed frames whose face reached the frame's border (part of it may be outside)",
      }),
    }),
    hints: z.array(z.enum(['low_light', 'too_still', 'not_direct', 'face_cut_off'])).meta({
      description:
        "When the video failed, what the person could change: low_light (the face is darker than live clips were measured to be judged at), too_still (no movement or blink was seen), not_direct (it looked like a screen or a print), face_cut_off (the face reached the frame's border in at least half the analysed frames: keep all of it in the picture). Empty when passed",
    }),
  })
  .meta({
    description:
      'With return_details (not in the seed), when cues were measured: liveness_score = min(max(motion, blink), presentation_attack) of the evidences. Figures only, never pixels',
  });

type Decision = z.output<z.ZodObject<typeof livenessDecisionShape>>;
type Images = z.output<z.ZodObject<typeof livenessImagesShape>>;
type Details = { liveness_details?: z.output<typeof livenessDetailsSchema> };

/** `passed`, `liveness_score` and, when asked for, `liveness_status`. */
export function livenessFields(o: Outcome, returnStatus: boolean): Decision {
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
export function livenessDetails(o: Outcome): Details {
  const r = o.liveness;
  if (r === undefined) return {};
  const { cues, evidence } = r;
  const cue = (value: number, ev: number) => ({ value: round(value), evidence: round(ev) });
  return {
    liveness_details: {
      threshold: r.threshold,
      sampled_frames: r.sampledFrames,
      blink_search_frames: r.blinkSearchFrames,
      tracked_frames: cues.trackedFrames,
      // liveness_score = min(max(motion, blink), direct): docs/liveness.md.
      cues: {
        non_planar_motion: cue(cues.nonPlanarMotion, evidence.motion),
        blink: cue(cues.blinkDepth, evidence.blink),
        presentation_attack: cue(cues.presentationAttack, evidence.direct),
      },
      decided_by: DECIDED_BY[evidence.decidedBy],
      conditions: {
        face_brightness: Math.round(r.conditions.faceBrightness),
        face_size_px: Math.round(r.conditions.faceSizePx),
        face_cut_by_frame: Math.round(r.conditions.faceCutByFrame * 100) / 100,
      },
      hints: [...r.hints],
    },
  };
}

const DECIDED_BY = {
  motion: 'non_planar_motion',
  blink: 'blink',
  direct: 'presentation_attack',
} as const;

const round = (v: number): number => Math.round(v * 10_000) / 10_000;

/** The selected frame and its face clipping, only when passed and asked for. */
export function livenessImages(o: Outcome): Images {
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

/**
 * Counts the decision and its score (the operator compares them between model versions),
 * and each search for a later blink: a wave of searches that find none is a wave of still
 * faces, an attack or a client that records too little.
 */
export function recordLiveness(metrics: Metrics, modelVersion: string, o: Outcome): void {
  metrics.livenessDecisions.labels(modelVersion, String(o.passed)).inc();
  metrics.livenessScore.labels(modelVersion).observe(o.livenessScore);
  const r = o.liveness;
  if (r !== undefined && r.blinkSearchFrames > 0)
    metrics.blinkSearches.labels(modelVersion, String(r.evidence.blink >= r.threshold)).inc();
}
