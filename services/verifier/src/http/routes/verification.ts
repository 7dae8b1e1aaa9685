import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../../config/config.js';
import type { KeyRing } from '../../crypto/key-ring.js';
import { ApiCode, invalidContentLength } from '../../errors/api-error.js';
import type { Metrics } from '../../observability/metrics.js';
import { StageTimer } from '../../pipeline/stage-timer.js';
import { verify, type VerifyOutcome } from '../../pipeline/verify.js';
import type { FaceModels } from '../../vision/face-models.js';
import type { Admission } from '../admission.js';
import type { AppEnv } from '../context.js';
import { requireLength } from '../middleware/require-length.js';
import { booleanField, readForm, requiredField } from '../verify-form.js';

export const VERIFY_PATH = '/identity/silent_image_verification/stateless';

export interface VerificationDeps {
  readonly config: Config;
  readonly keyRing: KeyRing;
  readonly models: FaceModels;
  readonly metrics: Metrics;
  readonly admission: Admission;
}

/** POST /identity/silent_image_verification/stateless, per spec/API.md. */
export function verificationRoutes(deps: VerificationDeps): Hono<AppEnv> {
  const { config, keyRing, models, metrics, admission } = deps;
  const modelVersion = models.bundle.id;
  const app = new Hono<AppEnv>();

  app.post(
    VERIFY_PATH,
    requireLength,
    // Enforced while streaming: a 200 MB body is refused at its Content-Length, or at
    // the first byte past the limit when chunked, without being buffered.
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw invalidContentLength(
          `the request body is larger than ${config.maxBodyBytes} bytes`,
          413,
        );
      },
    }),
    async (c) => {
      const timer = new StageTimer();
      c.header('X-Model-Version', modelVersion);
      const release = await admission.acquire(c.req.raw.signal);
      try {
        const form = await readForm(c, config.maxBodyBytes);
        const sealedImage = requiredField(form, 'encrypted_image');
        const sealedVideo = requiredField(form, 'encrypted_video');
        const options = {
          autoRotate: booleanField(form, 'auto_rotate'),
          checkQuality: booleanField(form, 'check_quality'),
          returnImage: booleanField(form, 'return_image'),
          returnFaceImage: booleanField(form, 'return_face_image'),
        };
        const returnStatus = booleanField(form, 'return_status');
        const [photo, video] = await timer.time('decrypt', () => [
          keyRing.open('encrypted_image', sealedImage, config.image.maxBytes),
          keyRing.open('encrypted_video', sealedVideo, config.video.maxBytes),
        ]);
        const outcome = await verify(
          { models, config },
          { photo, video, ...options },
          timer,
          c.req.raw.signal,
        );
        metrics.livenessDecisions.labels(modelVersion, String(outcome.passed)).inc();
        metrics.livenessScore.labels(modelVersion).observe(outcome.livenessScore);
        return c.json(responseBody(outcome, returnStatus, c.get('requestId')));
      } finally {
        release();
        const stages = timer.snapshot();
        metrics.observeStages(stages);
        c.header('Server-Timing', serverTiming(stages));
      }
    },
  );
  return app;
}

/** The seed's response, in the seed's field order, each field only under its condition. */
function responseBody(
  o: VerifyOutcome,
  returnStatus: boolean,
  requestId: string,
): Record<string, unknown> {
  return {
    code: ApiCode.ok,
    passed: o.passed,
    liveness_score: o.livenessScore,
    ...(returnStatus ? { liveness_status: o.livenessStatus } : {}),
    ...(o.passed && o.verificationScore !== undefined
      ? { verification_score: o.verificationScore }
      : {}),
    ...(o.passed && o.selectedFrame !== undefined
      ? {
          image_timestamp: o.selectedFrame.timestamp,
          base64_image: o.selectedFrame.jpeg.toString('base64'),
        }
      : {}),
    ...(o.passed && o.faceImage !== undefined
      ? { base64_face_image: o.faceImage.toString('base64') }
      : {}),
    request_id: requestId,
  };
}

function serverTiming(stages: Record<string, number>): string {
  return Object.entries(stages)
    .map(([k, v]) => `${k};dur=${v.toFixed(1)}`)
    .join(', ');
}
