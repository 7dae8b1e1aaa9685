import { Hono } from 'hono';
import { z } from 'zod';
import { ApiCode } from '../../errors/api-error.js';
import { checkLiveness } from '../../pipeline/check-liveness.js';
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

export const LIVENESS_PATH = '/liveness/silent_detection/stateless';

/** The liveness half's form and answer: the main endpoint's, less the photo. */
export const livenessEndpoint = {
  path: LIVENESS_PATH,
  operationId: 'checkLiveness',
  summary: 'Is the video a live person? (the liveness half alone)',
  form: z.object({
    encrypted_video: formFields.encrypted_video,
    return_image: formFields.return_image,
    return_face_image: formFields.return_face_image,
    return_status: formFields.return_status,
    return_details: formFields.return_details,
  }),
  answer: z
    .object({
      code: z.literal(ApiCode.ok),
      ...livenessDecisionShape,
      ...livenessImagesShape,
      liveness_details: livenessDetailsSchema.optional(),
      request_id: z.string(),
    })
    .meta({
      examples: [
        {
          code: 1000,
          passed: false,
          liveness_score: 0.0412,
          liveness_status: 'hack',
          request_id: '0d6c3f1e-8b2a-4c55-b0e4-7f9a1d2c3e4f',
        },
      ],
    }),
} satisfies FormEndpoint;

/** POST /liveness/silent_detection/stateless: the liveness half of the main endpoint, alone. */
export function livenessRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing, models, metrics } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, livenessEndpoint, deps, async ({ fields, timer, signal }) => {
    const options = {
      returnImage: fields.return_image,
      returnFaceImage: fields.return_face_image,
    };
    const video = await timer.time('decrypt', () =>
      keyRing.open('encrypted_video', fields.encrypted_video, config.video.maxBytes),
    );
    const outcome = await checkLiveness(deps, { video, ...options }, timer, signal);
    recordLiveness(metrics, models.bundle.id, outcome);
    return {
      code: ApiCode.ok,
      ...livenessFields(outcome, fields.return_status),
      ...livenessImages(outcome),
      ...(fields.return_details ? livenessDetails(outcome) : {}),
    };
  });
  return app;
}
