import { Hono } from 'hono';
import { ApiCode } from '../../errors/api-error.js';
import { checkLiveness } from '../../pipeline/check-liveness.js';
import type { AppEnv } from '../context.js';
import { formRoute, type ApiDeps } from '../form-route.js';
import {
  livenessDetails,
  livenessFields,
  livenessImages,
  recordLiveness,
} from '../liveness-fields.js';
import { booleanField, requiredField } from '../verify-form.js';

export const LIVENESS_PATH = '/liveness/silent_detection/stateless';

/** POST /liveness/silent_detection/stateless: the liveness half of the main endpoint, alone. */
export function livenessRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing, models, metrics } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, LIVENESS_PATH, deps, async ({ form, timer, signal }) => {
    const sealedVideo = requiredField(form, 'encrypted_video');
    const options = {
      returnImage: booleanField(form, 'return_image'),
      returnFaceImage: booleanField(form, 'return_face_image'),
    };
    const returnStatus = booleanField(form, 'return_status');
    const returnDetails = booleanField(form, 'return_details');
    const video = await timer.time('decrypt', () =>
      keyRing.open('encrypted_video', sealedVideo, config.video.maxBytes),
    );
    const outcome = await checkLiveness(deps, { video, ...options }, timer, signal);
    recordLiveness(metrics, models.bundle.id, outcome);
    return {
      code: ApiCode.ok,
      ...livenessFields(outcome, returnStatus),
      ...livenessImages(outcome),
      ...(returnDetails ? livenessDetails(outcome) : {}),
    };
  });
  return app;
}
