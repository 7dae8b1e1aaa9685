/**
 * Composition root: configuration → models → HTTP server, and the orderly way down.
 */
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { Config } from './config/config.js';
import { KeyRing } from './crypto/key-ring.js';
import { AbuseGuards } from './http/abuse/abuse-guards.js';
import { Admission } from './http/admission.js';
import { createApp } from './http/app.js';
import { listen } from './http/listen.js';
import { loadBundleManifest } from './models/bundle-manifest.js';
import { createLogger, type DestinationStream, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';
import { FrameWorkers } from './pipeline/frame-workers.js';
import { localObserver } from './pipeline/observe-frame.js';
import { actualProviders, fallbacks, type Placements } from './runtime/execution-provider.js';
import { loadFaceModels, warmUp, type FaceModels } from './vision/face-models.js';
import { SERVICE_VERSION } from './version.js';

export interface RunningVerifier {
  readonly url: string;
  readonly models: FaceModels;
  readonly log: Logger;
  /** Stops accepting, lets in-flight requests finish (bounded by the grace period), frees models. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  /** Where the JSON logs go; standard output unless given (tests read them). */
  readonly logDestination?: DestinationStream;
}

export async function startVerifier(
  config: Config,
  options: StartOptions = {},
): Promise<RunningVerifier> {
  // libvips' operation cache would keep decoded photos (biometric data) in memory
  // after their request; every request decodes different bytes, so it buys nothing.
  sharp.cache(false);
  const log = createLogger(config.logLevel, options.logDestination);
  const bundle = await loadBundleManifest(config.modelBundleDir);
  const metrics = createMetrics(bundle.id);
  const models = await loadFaceModels(bundle, config.runtime, {
    batching: {
      ...config.batching,
      onBatch: (component, size) => metrics.observeBatch(component, size),
    },
  });
  // On CPU each worker loads its own sessions; the main thread's serve photos and
  // warm-up. On a GPU the workers run the main thread's sessions, so that one set of
  // sessions holds the device and every request's runs can be batched (decision 0024).
  const onGpu = Object.values(models.placements).some((p) => p.provider !== 'cpu');
  const workers =
    config.visionWorkers > 0
      ? await FrameWorkers.start({
          threads: config.visionWorkers,
          bundleDir: config.modelBundleDir,
          runtime: config.runtime,
          ...(onGpu ? { mainModels: models } : {}),
        })
      : undefined;
  const placements: Placements = {
    main: models.placements,
    ...(workers === undefined ? {} : { frame_workers: workers.placements }),
  };
  for (const f of fallbacks(placements))
    log.warn(
      f,
      `${f.requested} execution provider not used; ${f.threads} sessions run on ${f.provider}`,
    );
  log.info(
    {
      modelVersion: bundle.id,
      executionProvider: config.runtime.executionProvider,
      providers: actualProviders(placements),
      visionWorkers: config.visionWorkers,
      batching: config.batching,
    },
    'models loaded',
  );
  const tracing = startTracing(config.tracing, SERVICE_VERSION, bundle.id);
  if (tracing !== undefined) log.info('exporting traces over OTLP');
  metrics.recordPlacements(placements);
  const admission = new Admission(
    config.concurrency.maxInFlight,
    config.concurrency.maxQueued,
    (_inFlight, queued) => metrics.queueDepth.set(queued),
  );
  let ready = false;
  const app = createApp({
    config,
    keyRing: new KeyRing(config.keyRing),
    models,
    frameObserver: workers ?? localObserver(models),
    metrics,
    admission,
    guards: new AbuseGuards(config.abuse),
    log,
    isReady: () => ready,
    placements,
  });
  const server = await listen(app.fetch, config);
  // Listening before warm-up lets /healthz answer while /readyz still says not ready.
  await warmUp(models);
  ready = true;
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url, modelVersion: bundle.id }, 'ready');

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      ready = false;
      log.info('draining');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) =>
        setTimeout(resolve, config.shutdownGraceMs).unref(),
      );
      await Promise.race([closed, grace]);
      server.closeAllConnections();
      await workers?.close();
      await models.release();
      await tracing?.shutdown();
      log.info('stopped');
    })());
  return { url, models, log, shutdown };
}
