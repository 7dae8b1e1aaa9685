import { Hono } from 'hono';
import { z } from 'zod';
import { ApiCode } from '../../errors/api-error.js';
import { comparePhotos } from '../../pipeline/compare-photos.js';
import type { AppEnv } from '../context.js';
import { formRoute, type ApiDeps, type FormEndpoint } from '../form-route.js';
import { formFields } from '../verify-form.js';

export const IMAGE_VERIFICATION_PATH = '/identity/image_verification/stateless';

/** The verification half's form and answer: two photos, one score. */
export const imageVerificationEndpoint = {
  path: IMAGE_VERIFICATION_PATH,
  operationId: 'compareImages',
  summary: 'Do two photos show the same person? (the verification half alone)',
  form: z.object({
    first_encrypted_image: formFields.first_encrypted_image,
    second_encrypted_image: formFields.second_encrypted_image,
    auto_rotate: formFields.auto_rotate,
    check_quality: formFields.check_quality,
  }),
  answer: z
    .object({
      code: z.literal(ApiCode.ok),
      verification_score: z.number().min(0).max(1).meta({
        description:
          "Calibrated like the main endpoint's: a threshold s has a false-match rate of 10^(3−10s)",
      }),
      request_id: z.string(),
    })
    .meta({
      examples: [
        {
          code: 1000,
          verification_score: 0.7431,
          request_id: '9e1b2c3d-4f5a-4b6c-8d7e-0f1a2b3c4d5e',
        },
      ],
    }),
} satisfies FormEndpoint;

/** POST /identity/image_verification/stateless: two photos, the verification half alone. */
export function imageVerificationRoutes(deps: ApiDeps): Hono<AppEnv> {
  const { config, keyRing } = deps;
  const app = new Hono<AppEnv>();
  formRoute(app, imageVerificationEndpoint, deps, async ({ fields, timer }) => {
    const options = { autoRotate: fields.auto_rotate, checkQuality: fields.check_quality };
    const [first, second] = await timer.time('decrypt', () => [
      keyRing.open('first_encrypted_image', fields.first_encrypted_image, config.image.maxBytes),
      keyRing.open('second_encrypted_image', fields.second_encrypted_image, config.image.maxBytes),
    ]);
    const outcome = await comparePhotos(deps, { first, second, ...options }, timer);
    return { code: ApiCode.ok, verification_score: outcome.verificationScore };
  });
  return app;
}
