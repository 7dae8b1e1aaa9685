/**
 * The OpenAPI 3.1 description of the HTTP contract (spec/API.md) and a self-contained
 * HTML page rendering it. The page loads nothing from a CDN: pods often run air-gapped.
 */
import { SERVICE_VERSION } from '../version.js';

const booleanField = (description: string) => ({
  type: 'string',
  enum: ['true', 'false', '1', '0'],
  default: 'false',
  description,
});

const verificationForm = {
  type: 'object',
  required: ['encrypted_video', 'encrypted_image'],
  properties: {
    encrypted_video: {
      type: 'string',
      description: 'Base64 of AES-256-GCM(video) ‖ tag (see ENCRYPTION.md)',
    },
    encrypted_image: { type: 'string', description: 'Base64 of AES-256-GCM(photo) ‖ tag' },
    auto_rotate: booleanField('Also try 90/180/270° and keep the orientation with the best face'),
    check_quality: booleanField('Refuse a photo whose eyes, nose or mouth are occluded (4004)'),
    return_image: booleanField('Return the selected frame and its timestamp when passed'),
    return_face_image: booleanField('Return the face clipping of the selected frame when passed'),
    return_status: booleanField('Return liveness_status'),
    return_details: booleanField(
      'Return liveness_details: each liveness cue with its measurement and evidence (not in the seed)',
    ),
  },
};

const cueSchema = {
  type: 'object',
  properties: {
    value: { type: 'number', description: "The cue's measurement" },
    evidence: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'Its probability-like reading',
    },
  },
};

/** With return_details: why the video passed or failed (figures only). */
const livenessDetailsSchema = {
  type: 'object',
  description:
    'With return_details=true (not in the seed): liveness_score = min(max(motion, blink), presentation_attack) of the evidences',
  properties: {
    threshold: { type: 'number' },
    sampled_frames: { type: 'integer' },
    tracked_frames: { type: 'integer' },
    cues: {
      type: 'object',
      properties: {
        non_planar_motion: cueSchema,
        blink: cueSchema,
        presentation_attack: cueSchema,
      },
    },
  },
};

const errorSchema = {
  type: 'object',
  required: ['code', 'message', 'request_id'],
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    request_id: { type: 'string' },
  },
};

const errorCodes: [number, string][] = [
  [
    400,
    '1200 invalid argument; 2003 image or frame size; 2004 content length; 2005 image/video type or corrupt; 4000 no face in the photo; 4004 face occlusion; 4007 no usable face in the video',
  ],
  [404, '1200 unknown path'],
  [405, '1200 wrong method'],
  [411, '1200 missing Content-Length'],
  [413, '2004 body over the limit'],
  [500, '5000 internal fault'],
  [503, '5003 saturated (Retry-After)'],
];

const livenessForm = {
  type: 'object',
  required: ['encrypted_video'],
  properties: {
    encrypted_video: verificationForm.properties.encrypted_video,
    return_image: verificationForm.properties.return_image,
    return_face_image: verificationForm.properties.return_face_image,
    return_status: verificationForm.properties.return_status,
    return_details: verificationForm.properties.return_details,
  },
};

const imageVerificationForm = {
  type: 'object',
  required: ['first_encrypted_image', 'second_encrypted_image'],
  properties: {
    first_encrypted_image: verificationForm.properties.encrypted_image,
    second_encrypted_image: verificationForm.properties.encrypted_image,
    auto_rotate: verificationForm.properties.auto_rotate,
    check_quality: verificationForm.properties.check_quality,
  },
};

const errorResponses = Object.fromEntries(
  errorCodes.map(([status, description]) => [
    status,
    { description, content: { 'application/json': { schema: errorSchema } } },
  ]),
);

const jsonResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});

export function openApiDocument(modelVersion: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'silentid',
      version: SERVICE_VERSION,
      description: `Face verification with silent liveness. Model bundle: ${modelVersion}. Encryption is obfuscation, not confidentiality: use TLS.`,
    },
    paths: {
      '/identity/silent_image_verification/stateless': {
        post: {
          summary: 'Is the video a live person, and is it the person in the photo?',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: verificationForm },
              'multipart/form-data': { schema: verificationForm },
            },
          },
          responses: {
            200: {
              description: 'code 1000',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['code', 'passed', 'liveness_score', 'request_id'],
                    properties: {
                      code: { type: 'integer', const: 1000 },
                      passed: { type: 'boolean', description: 'The liveness decision' },
                      liveness_score: { type: 'number', minimum: 0, maximum: 1 },
                      liveness_status: { type: 'string', enum: ['ok', 'hack', 'short_time'] },
                      verification_score: {
                        type: 'number',
                        minimum: 0,
                        maximum: 1,
                        description: 'Only when passed; s ↔ false-match rate 10^(3−10s)',
                      },
                      image_timestamp: { type: 'number' },
                      base64_image: { type: 'string' },
                      base64_face_image: { type: 'string' },
                      liveness_details: livenessDetailsSchema,
                      request_id: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      '/liveness/silent_detection/stateless': {
        post: {
          summary: 'Is the video a live person? (the liveness half alone)',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: livenessForm },
              'multipart/form-data': { schema: livenessForm },
            },
          },
          responses: {
            200: jsonResponse(
              'code 1000: passed, liveness_score, liveness_status (return_status), image_timestamp + base64_image, base64_face_image (when passed and asked for), liveness_details (return_details)',
            ),
            ...errorResponses,
          },
        },
      },
      '/identity/image_verification/stateless': {
        post: {
          summary: 'Do two photos show the same person? (the verification half alone)',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: imageVerificationForm },
              'multipart/form-data': { schema: imageVerificationForm },
            },
          },
          responses: {
            200: jsonResponse('code 1000: verification_score (s ↔ false-match rate 10^(3−10s))'),
            ...errorResponses,
          },
        },
      },
      '/healthz': { get: { summary: 'Process alive', responses: { 200: { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'Models loaded and warmed',
          responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { 200: { description: 'text exposition format' } },
        },
      },
    },
  };
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function docsPage(doc: Record<string, unknown>): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>silentid API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
</head><body><h1>silentid API</h1>
<p>The machine-readable description is at <a href="/openapi.json">/openapi.json</a>. Both fields are
Base64 of AES-256-GCM ciphertext with the tag appended (key and nonce as UTF-8 bytes).</p>
<pre>${escape(JSON.stringify(doc, null, 2))}</pre></body></html>`;
}
