/**
 * The verifier's configuration: environment variables parsed once, at start-up, into a
 * typed and validated object. Every limit of spec/API.md is here with its documented
 * default; nothing else in the service reads process.env, except the OpenTelemetry
 * exporter, which reads its standard OTEL_EXPORTER_OTLP_* settings (headers, timeouts)
 * and OTEL_RESOURCE_ATTRIBUTES itself once tracing is on.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_KEY, DEFAULT_NONCE } from '@silentid/client';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/execution-provider.js';

const MiB = 1024 * 1024;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) =>
  z.coerce.number().min(min).max(max).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const envSchema = z
  .object({
    PORT: int(3000, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    SILENTID_KEY: z.string().default(DEFAULT_KEY),
    SILENTID_NONCE: z.string().default(DEFAULT_NONCE),
    SILENTID_PREVIOUS_KEY: optionalString,
    SILENTID_PREVIOUS_NONCE: optionalString,

    MODEL_BUNDLE_DIR: z.string().default(path.join(repoRoot, 'models/faceplugin-dlib/1.1.0')),
    ORT_EXECUTION_PROVIDER: z.enum(EXECUTION_PROVIDERS).default('cpu'),
    ORT_PROVIDER_FALLBACK: z.enum(['true', 'false']).default('true'),
    ORT_INTRA_OP_THREADS: int(1, 1, 256),
    VISION_WORKERS: int(os.availableParallelism(), 0, 256),

    MAX_BODY_BYTES: int(48 * MiB, 1024),
    MAX_IMAGE_BYTES: int(8 * MiB, 1),
    MAX_VIDEO_BYTES: int(32 * MiB, 1),
    IMAGE_MIN_SIDE: int(64, 1),
    IMAGE_MAX_SIDE: int(8192, 1),
    IMAGE_MAX_PIXELS: int(50_000_000, 1),
    VIDEO_MIN_SIDE: int(64, 1),
    VIDEO_MAX_SIDE: int(4096, 1),
    VIDEO_MIN_SECONDS: num(2.0, 0, 3600),
    VIDEO_MAX_SECONDS: num(60, 0, 3600),
    VIDEO_SAMPLE_FPS: num(8, 1, 60),
    VIDEO_MAX_FRAMES: int(32, 2, 600),
    VIDEO_WORKING_SIDE: int(640, 64, 4096),
    VIDEO_DECODE_TIMEOUT_MS: int(15_000, 100),
    FFMPEG_PATH: optionalString,
    FFPROBE_PATH: optionalString,

    SILENTID_VERIFICATION_CALIBRATION: optionalString.pipe(
      z.string().transform(parseKnots).optional(),
    ),
    LIVENESS_THRESHOLD: optionalString.pipe(
      z.coerce.number<string | undefined>().min(0).max(1).optional(),
    ),
    MAX_CONCURRENT_REQUESTS: int(2, 1, 1024),
    MAX_QUEUED_REQUESTS: int(16, 0, 100_000),
    SHUTDOWN_GRACE_MS: int(25_000, 0),

    // OpenTelemetry's own variable names: tracing is on when an OTLP endpoint is set.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString,
    OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
    OTEL_SERVICE_NAME: z.string().min(1).default('silentid-verifier'),
  })
  .superRefine((env, ctx) => {
    if ((env.SILENTID_PREVIOUS_KEY === undefined) !== (env.SILENTID_PREVIOUS_NONCE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'SILENTID_PREVIOUS_KEY and SILENTID_PREVIOUS_NONCE must be set together',
        path: ['SILENTID_PREVIOUS_KEY'],
      });
    }
    if (
      env.ORT_EXECUTION_PROVIDER === 'webgpu' &&
      env.ORT_PROVIDER_FALLBACK === 'false' &&
      env.VISION_WORKERS > 0
    ) {
      ctx.addIssue({
        code: 'custom',
        message:
          'ORT_EXECUTION_PROVIDER=webgpu with ORT_PROVIDER_FALLBACK=false needs VISION_WORKERS=0: WebGPU sessions run on the main thread only, so frame workers would use CPU (docs/decisions/0018)',
        path: ['VISION_WORKERS'],
      });
    }
    if (env.IMAGE_MIN_SIDE > env.IMAGE_MAX_SIDE || env.VIDEO_MIN_SIDE > env.VIDEO_MAX_SIDE) {
      ctx.addIssue({ code: 'custom', message: 'a minimum side exceeds its maximum', path: [] });
    }
  });

const knotsSchema = z
  .object({
    points: z.array(z.tuple([z.number(), z.number().min(0).max(1)])).min(2),
  })
  .refine(
    (t) =>
      t.points.every(
        (p, i) => i === 0 || (p[0] > t.points[i - 1]![0] && p[1] >= t.points[i - 1]![1]),
      ),
    {
      message: 'calibration points must increase in similarity and never decrease in score',
    },
  );

function parseKnots(text: string, ctx: z.RefinementCtx<string>): [number, number][] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
  const parsed = knotsSchema.safeParse(json);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => i.message).join('; ') });
    return z.NEVER;
  }
  return parsed.data.points;
}

export interface KeyPair {
  readonly key: string;
  readonly nonce: string;
}

export interface ImageLimits {
  readonly maxBytes: number;
  readonly minSide: number;
  readonly maxSide: number;
  readonly maxPixels: number;
}

export interface VideoLimits {
  readonly maxBytes: number;
  readonly minSide: number;
  readonly maxSide: number;
  /** Shorter clips are answered with liveness_status short_time. */
  readonly minSeconds: number;
  /** Longer clips are refused with 1200. */
  readonly maxSeconds: number;
}

export interface VideoSampling {
  /** Frames per second decoded for the liveness analysis. */
  readonly fps: number;
  /** At most this many frames are decoded, from the start of the clip. */
  readonly maxFrames: number;
  /** Frames are scaled so that their longer side is at most this. */
  readonly workingSide: number;
  readonly timeoutMs: number;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Current key pair first, then the previous one during a rotation window. */
  readonly keyRing: readonly KeyPair[];
  readonly modelBundleDir: string;
  readonly runtime: {
    readonly executionProvider: ExecutionProvider;
    readonly intraOpThreads: number;
    /** False: a provider that cannot load stops the start instead of falling back to CPU. */
    readonly allowFallback: boolean;
  };
  /** Worker threads that analyse video frames; 0 analyses them on the main thread. */
  readonly visionWorkers: number;
  readonly maxBodyBytes: number;
  readonly image: ImageLimits;
  readonly video: VideoLimits;
  readonly sampling: VideoSampling;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  /**
   * Overrides the bundle's verification knots when set (JSON `{"points": [[similarity, score], …]}`,
   * in the bundle's similarity: a cosine, or the fused score):
   * the operator passes a FaceModel's own calibration this way.
   */
  readonly verificationCalibration: readonly (readonly [number, number])[] | undefined;
  /** Overrides the bundle's measured liveness threshold when set. */
  readonly livenessThreshold: number | undefined;
  readonly concurrency: { readonly maxInFlight: number; readonly maxQueued: number };
  readonly shutdownGraceMs: number;
  /** Trace export over OTLP/HTTP; off unless an endpoint is configured. */
  readonly tracing: { readonly enabled: boolean; readonly serviceName: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const keyRing: KeyPair[] = [{ key: e.SILENTID_KEY, nonce: e.SILENTID_NONCE }];
  if (e.SILENTID_PREVIOUS_KEY !== undefined && e.SILENTID_PREVIOUS_NONCE !== undefined) {
    keyRing.push({ key: e.SILENTID_PREVIOUS_KEY, nonce: e.SILENTID_PREVIOUS_NONCE });
  }
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    keyRing,
    modelBundleDir: path.resolve(e.MODEL_BUNDLE_DIR),
    runtime: {
      executionProvider: e.ORT_EXECUTION_PROVIDER,
      intraOpThreads: e.ORT_INTRA_OP_THREADS,
      allowFallback: e.ORT_PROVIDER_FALLBACK === 'true',
    },
    visionWorkers: e.VISION_WORKERS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    image: {
      maxBytes: e.MAX_IMAGE_BYTES,
      minSide: e.IMAGE_MIN_SIDE,
      maxSide: e.IMAGE_MAX_SIDE,
      maxPixels: e.IMAGE_MAX_PIXELS,
    },
    video: {
      maxBytes: e.MAX_VIDEO_BYTES,
      minSide: e.VIDEO_MIN_SIDE,
      maxSide: e.VIDEO_MAX_SIDE,
      minSeconds: e.VIDEO_MIN_SECONDS,
      maxSeconds: e.VIDEO_MAX_SECONDS,
    },
    sampling: {
      fps: e.VIDEO_SAMPLE_FPS,
      maxFrames: e.VIDEO_MAX_FRAMES,
      workingSide: e.VIDEO_WORKING_SIDE,
      timeoutMs: e.VIDEO_DECODE_TIMEOUT_MS,
    },
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    verificationCalibration: e.SILENTID_VERIFICATION_CALIBRATION,
    livenessThreshold: e.LIVENESS_THRESHOLD,
    concurrency: { maxInFlight: e.MAX_CONCURRENT_REQUESTS, maxQueued: e.MAX_QUEUED_REQUESTS },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    tracing: {
      enabled:
        e.OTEL_SDK_DISABLED === 'false' &&
        (e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
          e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}
