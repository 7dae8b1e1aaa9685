import { Hono } from 'hono';
import { ApiCode } from '../../errors/api-error.js';
import { verify } from '../../pipeline/verify.js';
import type { AppEnv } from '../context.js';
import { formRoute, type ApiDeps } from '../form-route.js';
import {
  livenessDetails,
  livenessFields,
  livenessImages,
  recordLiveness,
} from '../liveness-fields.js';
import { booleanField, requiredField } from '../verify-form.js';

export const VERIFY_PATH = '/identity/silent_image_verification/stateless';

/** POST /identity/silent_image_verification/stateless, per spec/API.md. */
export function verificationRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing, models, metrics } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, VERIFY_PATH, deps, async ({ form, timer, signal }) => {
    const sealedImage = requiredField(form, 'encrypted_image');
    const sealedVideo = requiredField(form, 'encrypted_video');
    const options = {
      autoRotate: booleanField(form, 'auto_rotate'),
      checkQuality: booleanField(form, 'check_quality'),
      returnImage: booleanField(form, 'return_image'),
      returnFaceImage: booleanField(form, 'return_face_image'),
    };
    const returnStatus = booleanField(form, 'return_status');
    const returnDetails = booleanField(form, 'return_details');
    const [photo, video] = await timer.time('decrypt', () => [
      keyRing.open('encrypted_image', sealedImage, config.image.maxBytes),
      keyRing.open('encrypted_video', sealedVideo, config.video.maxBytes),
    ]);
    const outcome = await verify(deps, { photo, video, ...options }, timer, signal);
    recordLiveness(metrics, models.bundle.id, outcome);
    // The seed's field order; each field only under its condition.
    return {
      code: ApiCode.ok,
      ...livenessFields(outcome, returnStatus),
      ...(outcome.passed && outcome.verificationScore !== undefined
        ? { verification_score: outcome.verificationScore }
        : {}),
      ...livenessImages(outcome),
      ...(returnDetails ? livenessDetails(outcome) : {}),
    };
  });
  return app;
}
