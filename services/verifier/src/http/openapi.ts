/**
 * The OpenAPI 3.1 description of the HTTP contract (docs/api.md), generated. Each POST
 * endpoint's request body is the JSON Schema of the zod form that validates its requests
 * (input side: what a client sends), and its answer the zod object its handler's result is
 * typed by; both through zod's own z.toJSONSchema, whose 2020-12 dialect is OpenAPI 3.1's.
 * What no schema knows (the error codes per status, headers, the operational routes) is
 * written here.
 */
import { z } from 'zod';
import { ApiCode } from '../errors/api-error.js';
import { EXECUTION_PROVIDERS } from '../runtime/execution-provider.js';
import { SERVICE_VERSION } from '../version.js';
import type { FormEndpoint } from './form-route.js';
import { imageVerificationEndpoint } from './routes/image-verification.js';
import { livenessEndpoint } from './routes/liveness.js';
import { verificationEndpoint } from './routes/verification.js';

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly tags: readonly Json[];
  readonly paths: Record<string, Record<string, Json>>;
  readonly components: { readonly schemas: Record<string, Json> };
}

/** The POST endpoints of the API family, as app.ts mounts them. */
export const API_ENDPOINTS: readonly FormEndpoint[] = [
  verificationEndpoint,
  livenessEndpoint,
  imageVerificationEndpoint,
];

/** A zod schema as a JSON Schema object, without the `$schema` line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    // z.int() says ±2^53 − 1, which only makes the page noisier.
    override: ({ jsonSchema: out }) => {
      if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
      if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    },
  });
  return rest;
}

const errorAnswer = z
  .object({
    code: z.int().meta({
      description: 'The API code: see the responses by HTTP status',
      enum: Object.values(ApiCode).filter((code) => code !== ApiCode.ok),
    }),
    message: z.string().meta({ description: 'Names the field and the reason, never its content' }),
    request_id: z.string(),
  })
  .meta({
    examples: [
      {
        code: ApiCode.invalidArgument,
        message: 'encrypted_video is required',
        request_id: '5b0f6a52-3c1e-4d7e-9a51-0c2f8e7d4b11',
      },
    ],
  });

/** Which codes each HTTP status carries (docs/api.md has the full table). */
const ERRORS_BY_STATUS: Record<number, string> = {
  400: '1200 invalid argument (missing/empty field, bad Base64, failed GCM tag, bad boolean, video over 60 s); 2003 image or frame size; 2004 decrypted size; 2005 image/video type or corrupt; 4000 no face in the photo; 4004 face occlusion (check_quality); 4007 no usable face in the video',
  404: '1200 unknown path',
  405: '1200 wrong method (Allow lists the right ones)',
  409: '1201 an exact replay of a request answered within REPLAY_WINDOW_SECONDS (when set)',
  411: '1200 missing Content-Length (or chunked encoding)',
  413: '2004 body over MAX_BODY_BYTES',
  429: '1300 over RATE_LIMIT_PER_MINUTE for this client; 1301 this client is locked out after LOCKOUT_FAILURES rejections (Retry-After; both off unless set)',
  500: '5000 a fault of the service',
  503: '5003 saturated: the bounded queue is full (Retry-After)',
};

const header = (description: string) => ({ description, schema: { type: 'string' } });
const REQUEST_ID = header('The request id; an incoming sane X-Request-Id is kept');
const API_HEADERS = {
  'X-Request-Id': REQUEST_ID,
  'X-Model-Version': header('The model bundle that answered, e.g. faceplugin-dlib@1.3.0'),
  'Server-Timing': header(
    'Per-stage durations in ms: decrypt, decode, detect, liveness, embed, total',
  ),
};

const ERROR_RESPONSES = Object.fromEntries(
  Object.entries(ERRORS_BY_STATUS).map(([status, description]) => [
    status,
    {
      description,
      headers: {
        'X-Request-Id': REQUEST_ID,
        ...(status === '503' || status === '429'
          ? { 'Retry-After': header('Seconds to wait') }
          : {}),
        ...(status === '405' ? { Allow: header('The methods the path answers') } : {}),
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
  ]),
);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const schemaName = (endpoint: FormEndpoint, part: 'Form' | 'Answer') =>
  `${endpoint.operationId[0]!.toUpperCase()}${endpoint.operationId.slice(1)}${part}`;

/** The schemas of a POST endpoint: its form (what a client sends) and its answer. */
function formSchemas(endpoint: FormEndpoint): [string, Json][] {
  return [
    [schemaName(endpoint, 'Form'), jsonSchema(endpoint.form, 'input')],
    [schemaName(endpoint, 'Answer'), jsonSchema(endpoint.answer, 'output')],
  ];
}

/** A POST endpoint: its form as the request body, its answer as the 200 response. */
function formOperation(endpoint: FormEndpoint): Json {
  const form = ref(schemaName(endpoint, 'Form'));
  const examples = z.globalRegistry.get(endpoint.answer)?.examples;
  const example = Array.isArray(examples) ? examples[0] : undefined;
  return {
    tags: ['verification'],
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: form },
        'multipart/form-data': { schema: form },
      },
    },
    responses: {
      200: {
        description: 'code 1000',
        headers: API_HEADERS,
        content: {
          'application/json': {
            schema: ref(schemaName(endpoint, 'Answer')),
            ...(example === undefined ? {} : { example }),
          },
        },
      },
      ...ERROR_RESPONSES,
    },
  };
}

const operation = (summary: string, responses: Json): Json => ({
  tags: ['operations'],
  summary,
  responses,
});
const json = (description: string, schema: Json = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const providerNames = { enum: [...EXECUTION_PROVIDERS] };
const readiness = {
  type: 'object',
  required: ['status', 'model_version', 'providers', 'batching'],
  properties: {
    status: { enum: ['ready', 'not ready'] },
    model_version: { type: 'string' },
    providers: {
      description:
        'Execution provider of every model session, by threads (`main`; `frame_workers` when VISION_WORKERS > 0) and component; `fallback` says why a session runs elsewhere than requested',
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['requested', 'provider'],
          properties: {
            requested: providerNames,
            provider: providerNames,
            fallback: { type: 'string' },
          },
        },
      },
    },
    batching: {
      description:
        'How the main thread batches model runs across requests (ORT_BATCH_MAX, ORT_BATCH_WAIT_MS); max_batch 1 is off',
      type: 'object',
      required: ['max_batch', 'max_wait_ms'],
      properties: {
        max_batch: { type: 'integer', minimum: 1 },
        max_wait_ms: { type: 'number', minimum: 0 },
      },
    },
  },
};

const DESCRIPTION = `Face verification with silent liveness. Model bundle: MODEL.

Every \`encrypted_*\` field is the Base64 of AES-256-GCM ciphertext with its 16-byte tag
appended; the key (32 characters) and the nonce (12 characters) are used as their UTF-8
bytes, exactly as the vendor's Java \`AESCipher\` does (the \`silentid encrypt\` CLI command
produces such a value). The encryption is obfuscation, not confidentiality: use TLS.`;

/** The document a running service publishes at /openapi.json. */
export function openApiDocument(
  modelVersion: string,
  endpoints: readonly FormEndpoint[] = API_ENDPOINTS,
): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'silentid',
      version: SERVICE_VERSION,
      description: DESCRIPTION.replace('MODEL', modelVersion),
    },
    tags: [
      { name: 'verification', description: 'The vendor-compatible API family' },
      { name: 'operations', description: 'Probes, metrics and this description' },
    ],
    paths: {
      ...Object.fromEntries(endpoints.map((e) => [e.path, { post: formOperation(e) }])),
      '/healthz': { get: operation('Process alive', { 200: json('ok') }) },
      '/readyz': {
        get: operation('Models loaded and warmed; not ready again while draining', {
          200: json('ready', readiness),
          503: json('not ready', readiness),
        }),
      },
      '/metrics': {
        get: operation('Prometheus metrics', {
          200: { description: 'text exposition format', content: { 'text/plain': {} } },
        }),
      },
      '/openapi.json': { get: operation('This document', { 200: json('OpenAPI 3.1') }) },
      '/docs': {
        get: operation('This document, rendered (Swagger UI, served by the pod itself)', {
          200: { description: 'HTML', content: { 'text/html': {} } },
        }),
      },
    },
    components: {
      schemas: {
        ...Object.fromEntries(endpoints.flatMap(formSchemas)),
        Error: jsonSchema(errorAnswer, 'output'),
      },
    },
  };
}
