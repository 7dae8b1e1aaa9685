import { Hono } from 'hono';
import { z } from 'zod';
import { ApiCode } from '../../errors/api-error.js';
import { verify } from '../../pipeline/verify.js';
import type { AppEnv } from '../context.js';
import { formRoute, type ApiDeps, type FormEndpoint } from '../form-route.js';
import {
  livenessDecisionShape,
  livenessDetails,
  livenessDetailsSchema,
  livenessFields,
  livenessImages,
  livenessImagesShape,
  recordLiveness,
} from '../liveness-fields.js';
import { formFields } from '../verify-form.js';

export const VERIFY_PATH = '/identity/silent_image_verification/stateless';

/** The main endpoint's form and answer, in the seed's field order. */
export const verificationEndpoint = {
  path: VERIFY_PATH,
  operationId: 'verify',
  summary: 'Is the video a live person, and is it the person in the photo?',
  form: z.object({
    encrypted_image: formFields.encrypted_image,
    encrypted_video: formFields.encrypted_video,
    auto_rotate: formFields.auto_rotate,
    check_quality: formFields.check_quality,
    return_image: formFields.return_image,
    return_face_image: formFields.return_face_image,
    return_status: formFields.return_status,
    return_details: formFields.return_details,
  }),
  answer: z
    .object({
      code: z.literal(ApiCode.ok),
      ...livenessDecisionShape,
      verification_score: z.number().min(0).max(1).optional().meta({
        description:
          'Only when passed: the face in the video against the photo, calibrated so that a threshold s has a false-match rate of 10^(3−10s) (0.7 ↔ 1 in 10,000)',
      }),
      ...livenessImagesShape,
      liveness_details: livenessDetailsSchema.optional(),
      request_id: z.string(),
    })
    .meta({
      examples: [
        {
          code: 1000,
          passed: true,
          liveness_score: 0.9987,
          liveness_status: 'ok',
          verification_score: 0.8312,
          request_id: '5b0f6a52-3c1e-4d7e-9a51-0c2f8e7d4b11',
        },
      ],
    }),
} satisfies FormEndpoint;

/** POST /identity/silent_image_verification/stateless (docs/api.md). */
export function verificationRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing, models, metrics } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, verificationEndpoint, deps, async ({ fields, timer, signal }) => {
    const options = {
      autoRotate: fields.auto_rotate,
      checkQuality: fields.check_quality,
      returnImage: fields.return_image,
      returnFaceImage: fields.return_face_image,
    };
    const [photo, video] = await timer.time('decrypt', () => [
      keyRing.open('encrypted_image', fields.encrypted_image, config.image.maxBytes),
      keyRing.open('encrypted_video', fields.encrypted_video, config.video.maxBytes),
    ]);
    const outcome = await verify(deps, { photo, video, ...options }, timer, signal);
    recordLiveness(metrics, models.bundle.id, outcome);
    // The seed's field order; each field only under its condition.
    return {
      code: ApiCode.ok,
      ...livenessFields(outcome, fields.return_status),
      ...(outcome.passed && outcome.verificationScore !== undefined
        ? { verification_score: outcome.verificationScore }
        : {}),
      ...livenessImages(outcome),
      ...(fields.return_details ? livenessDetails(outcome) : {}),
    };
  });
  return app;
}
