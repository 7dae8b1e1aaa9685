import { Hono } from 'hono';
import { ApiCode } from '../../errors/api-error.js';
import { comparePhotos } from '../../pipeline/compare-photos.js';
import type { AppEnv } from '../context.js';
import { formRoute, type ApiDeps } from '../form-route.js';
import { booleanField, requiredField } from '../verify-form.js';

export const IMAGE_VERIFICATION_PATH = '/identity/image_verification/stateless';

/** POST /identity/image_verification/stateless: two photos, the verification half alone. */
export function imageVerificationRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, IMAGE_VERIFICATION_PATH, deps, async ({ form, timer }) => {
    const sealedFirst = requiredField(form, 'first_encrypted_image');
    const sealedSecond = requiredField(form, 'second_encrypted_image');
    const options = {
      autoRotate: booleanField(form, 'auto_rotate'),
      checkQuality: booleanField(form, 'check_quality'),
    };
    const [first, second] = await timer.time('decrypt', () => [
      keyRing.open('first_encrypted_image', sealedFirst, config.image.maxBytes),
      keyRing.open('second_encrypted_image', sealedSecond, config.image.maxBytes),
    ]);
    const outcome = await comparePhotos(deps, { first, second, ...options }, timer);
    return { code: ApiCode.ok, verification_score: outcome.verificationScore };
  });
  return app;
}
