/**
 * The verifier's configuration: environment variables parsed once, at start-up, into a
 * typed and validated object. Every limit of spec/API.md is here with its documented
 * default; nothing else in the service reads process.env, except the OpenTelemetry
 * exporter, which reads its standard OTEL_EXPORTER_OTLP_* settings (headers, timeouts)
 * and OTEL_RESOURCE_ATTRIBUTES itself once tracing is on.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_KEY, DEFAULT_NONCE } from '@silentid/client';
import type { BatchPolicy } from '../runtime/batch-queue.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/execution-provider.js';

const MiB = 1024 * 1024;

/**
 * Batching across requests when ORT_BATCH_MAX / ORT_BATCH_WAIT_MS are not set. Off on
 * CPU: one thread runs a batch of 8 in about the time of 8 single runs (0.8–1.3× per
 * model, eye state aside, docs/benchmarks.md). On WebGPU a batch of 8 took 1.0–2.1×
 * less per image on lavapipe; a real GPU gains more, and the CUDA default is WebGPU's
 * until a lent GPU measures both (decision 0024).
 */
export const DEFAULT_BATCHING: Readonly<Record<ExecutionProvider, BatchPolicy>> = {
  cpu: { maxBatch: 1, maxWaitMs: 0 },
  webgpu: { maxBatch: 16, maxWaitMs: 2 },
  cuda: { maxBatch: 16, maxWaitMs: 2 },
};
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min: number, max: number) =>
  z.coerce.number().min(min).max(max).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));
const optionalInt = (min: number) =>
  optionalString.pipe(z.coerce.number<string | undefined>().int().min(min).optional());

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
    // The demo page at /demo: `auto` serves it only with the built-in dev key (decision 0022).
    SILENTID_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),

    MODEL_BUNDLE_DIR: z.string().default(path.join(repoRoot, 'models/faceplugin-dlib/1.3.0')),
    ORT_EXECUTION_PROVIDER: z.enum(EXECUTION_PROVIDERS).default('cpu'),
    ORT_PROVIDER_FALLBACK: z.enum(['true', 'false']).default('true'),
    ORT_INTRA_OP_THREADS: int(1, 1, 256),
    VISION_WORKERS: int(os.availableParallelism(), 0, 256),
    ORT_BATCH_MAX: optionalString.pipe(
      z.coerce.number<string | undefined>().int().min(1).max(1024).optional(),
    ),
    ORT_BATCH_WAIT_MS: optionalString.pipe(
      z.coerce.number<string | undefined>().min(0).max(1000).optional(),
    ),

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
    VIDEO_BLINK_SECONDS: num(10, 0, 60),
    VIDEO_BLINK_FPS: num(12, 1, 60),
    VIDEO_BLINK_SEARCH: z.enum(['when-still', 'always']).default('when-still'),
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

    // Longer than the 60 s that ingress-nginx, AWS ALB and most proxies keep an idle
    // upstream connection: the pod must never be the side that closes it (decision 0019).
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(65_000, 1),
    HTTP_HEADERS_TIMEOUT_MS: optionalInt(1),
    // Receiving a whole request: MAX_BODY_BYTES (48 MiB) at about 1.3 Mbit/s.
    HTTP_REQUEST_TIMEOUT_MS: int(300_000, 0),
    TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),

    // Abuse resistance, each off at 0 (decision 0021).
    RATE_LIMIT_PER_MINUTE: int(0, 0, 1_000_000),
    RATE_LIMIT_BURST: optionalInt(1),
    LOCKOUT_FAILURES: int(0, 0, 10_000),
    LOCKOUT_WINDOW_SECONDS: int(600, 1),
    LOCKOUT_SECONDS: int(900, 1),
    LOCKOUT_VERIFICATION_THRESHOLD: num(0.7, 0, 1),
    REPLAY_WINDOW_SECONDS: int(0, 0, 7 * 86_400),

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
    if (env.IMAGE_MIN_SIDE > env.IMAGE_MAX_SIDE || env.VIDEO_MIN_SIDE > env.VIDEO_MAX_SIDE) {
      ctx.addIssue({ code: 'custom', message: 'a minimum side exceeds its maximum', path: [] });
    }
    // A headers timeout under the keep-alive one cuts a request that arrives late on an
    // idle connection; Node refuses a headers timeout over the request timeout.
    const headersTimeout = env.HTTP_HEADERS_TIMEOUT_MS ?? env.HTTP_KEEP_ALIVE_TIMEOUT_MS + 1000;
    if (headersTimeout <= env.HTTP_KEEP_ALIVE_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be longer than HTTP_KEEP_ALIVE_TIMEOUT_MS',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
      });
    }
    if (env.HTTP_REQUEST_TIMEOUT_MS > 0 && env.HTTP_REQUEST_TIMEOUT_MS < headersTimeout) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be 0 (none) or at least the headers timeout',
        path: ['HTTP_REQUEST_TIMEOUT_MS'],
      });
    }
  });

/**
 * TRUST_PROXY: `false` (X-Forwarded-For is ignored), `true` (the peer is a proxy: the
 * client is the address it appended) or a comma-separated list of the proxies' addresses
 * and CIDR ranges (every hop inside them is skipped).
 */
function parseTrustProxy(text: string, ctx: z.RefinementCtx<string>): TrustProxy {
  const value = text.trim().toLowerCase();
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  const ranges = value.split(',').map((r) => r.trim());
  for (const range of ranges) {
    const [address = '', prefix, extra] = range.split('/');
    const family = net.isIP(address);
    const validPrefix =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !validPrefix || extra !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${range}" is not true, false, an IP address or a CIDR range`,
      });
      return z.NEVER;
    }
  }
  return ranges;
}

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

/**
 * The blink search past the first window (decision 0028): up to `untilSeconds` from the
 * clip's start, at `fps`. `when-still` searches only when the window's evidence of a
 * moving face is what fails the clip (a blink could change the decision, nothing else
 * can); `always` searches every clip, so that the evaluation's refitted constants see
 * the blink each clip would show under any calibration.
 */
export interface BlinkSearch {
  readonly untilSeconds: number;
  readonly fps: number;
  readonly when: 'when-still' | 'always';
}

/** Which peers' X-Forwarded-For is believed: none, the direct peer, or these ranges. */
export type TrustProxy = boolean | readonly string[];

export interface HttpSettings {
  /** Idle keep-alive connections close after this; advertised as `Keep-Alive: timeout=…`. */
  readonly keepAliveTimeoutMs: number;
  /** Longest wait for a request's headers; longer than the keep-alive timeout. */
  readonly headersTimeoutMs: number;
  /** Longest wait for a whole request, body included (408); 0: none. */
  readonly requestTimeoutMs: number;
  readonly trustProxy: TrustProxy;
}

/** Per-client limits on the POST endpoints (http/abuse/); a 0 turns one off. */
export interface AbuseSettings {
  readonly rateLimit: { readonly perMinute: number; readonly burst: number };
  readonly lockout: {
    /** Consecutive rejections that lock a client out. */
    readonly failures: number;
    /** …counted within this many seconds of the first. */
    readonly windowSeconds: number;
    readonly lockSeconds: number;
    /** A verification_score below this is a rejection. */
    readonly verificationThreshold: number;
  };
  readonly replayWindowSeconds: number;
}

export interface DemoSettings {
  /** SILENTID_DEMO: `true`, `false`, or `auto` (default): served only with the dev key. */
  readonly enabled: boolean;
  /**
   * The current key pair is the built-in dev pair, which is public: the page may then be
   * given it, and shows raw liveness figures (dev mode). Otherwise it shows neither.
   */
  readonly devKey: boolean;
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
  /**
   * Batching of the main thread's model runs across requests (ORT_BATCH_MAX,
   * ORT_BATCH_WAIT_MS; DEFAULT_BATCHING per provider). Frames meet there only with
   * VISION_WORKERS=0, the GPU setting; frame threads never batch.
   */
  readonly batching: BatchPolicy;
  readonly maxBodyBytes: number;
  readonly image: ImageLimits;
  readonly video: VideoLimits;
  readonly sampling: VideoSampling;
  /** Where the first window shows no movement, the rest of the clip searched for a blink. */
  readonly blinkSearch: BlinkSearch;
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
  readonly http: HttpSettings;
  readonly abuse: AbuseSettings;
  /** The browser demo page at /demo (decision 0022). */
  readonly demo: DemoSettings;
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
  const devKey = e.SILENTID_KEY === DEFAULT_KEY && e.SILENTID_NONCE === DEFAULT_NONCE;
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
    batching: {
      maxBatch: e.ORT_BATCH_MAX ?? DEFAULT_BATCHING[e.ORT_EXECUTION_PROVIDER].maxBatch,
      maxWaitMs: e.ORT_BATCH_WAIT_MS ?? DEFAULT_BATCHING[e.ORT_EXECUTION_PROVIDER].maxWaitMs,
    },
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
    blinkSearch: {
      untilSeconds: e.VIDEO_BLINK_SECONDS,
      fps: e.VIDEO_BLINK_FPS,
      when: e.VIDEO_BLINK_SEARCH,
    },
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    verificationCalibration: e.SILENTID_VERIFICATION_CALIBRATION,
    livenessThreshold: e.LIVENESS_THRESHOLD,
    concurrency: { maxInFlight: e.MAX_CONCURRENT_REQUESTS, maxQueued: e.MAX_QUEUED_REQUESTS },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    http: {
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS ?? e.HTTP_KEEP_ALIVE_TIMEOUT_MS + 1000,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      trustProxy: e.TRUST_PROXY,
    },
    abuse: {
      rateLimit: {
        perMinute: e.RATE_LIMIT_PER_MINUTE,
        burst: e.RATE_LIMIT_BURST ?? Math.max(1, e.RATE_LIMIT_PER_MINUTE),
      },
      lockout: {
        failures: e.LOCKOUT_FAILURES,
        windowSeconds: e.LOCKOUT_WINDOW_SECONDS,
        lockSeconds: e.LOCKOUT_SECONDS,
        verificationThreshold: e.LOCKOUT_VERIFICATION_THRESHOLD,
      },
      replayWindowSeconds: e.REPLAY_WINDOW_SECONDS,
    },
    demo: {
      enabled: e.SILENTID_DEMO === 'auto' ? devKey : e.SILENTID_DEMO === 'true',
      devKey,
    },
    tracing: {
      enabled:
        e.OTEL_SDK_DISABLED === 'false' &&
        (e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
          e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}
