/**
 * `npm run bench:gpu`: CPU and GPU execution providers side by side in one run, on the
 * same clips and the same admission settings, so that what a GPU node buys is read from
 * one table (machines differ by up to 2×: only side-by-side figures count).
 *
 *   npm run bench:gpu [-- --providers cpu,webgpu,cuda --concurrency 1,8,32,64 --seconds 20 --out FILE]
 *   npm run bench:gpu -- --help
 *
 * For each provider in turn (never two at once: they would share the cores and the GPU):
 * start the compiled verifier, check /readyz says every model runs where asked (fallback
 * is off, and a placement elsewhere stops that provider loudly), warm it (WebGPU compiles
 * its shaders on the first requests), then each concurrency level for --seconds while
 * nvidia-smi is sampled. Every answer's decision and scores are kept per clip; decisions
 * that differ between providers are reported and fail the run (exit code 1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import type {
  ExecutionProvider,
  Placements,
} from '../../../services/verifier/src/runtime/execution-provider.js';
import { gitState, machine } from '../../eval/report.js';
import { scratchDir } from '../../support/media-tools.js';
import {
  repoRoot,
  startVerifierProcess,
  type VerifierProcess,
} from '../../support/verifier-process.js';
import { Cleanup, guarded } from '../cleanup.js';
import type { PreparedClip } from '../clips.js';
import { closedLoop } from '../load.js';
import { writeJson } from '../record.js';
import { summariseLevel, videoText } from '../report.js';
import { benchClips } from './clips.js';
import { GpuSampler, gpuSnapshot, NO_NVIDIA_SMI } from './gpu-sampler.js';
import { parseOptions, type BatchSetting, type GpuBenchOptions } from './options.js';
import {
  type BatchingPolicy,
  checkDecisions,
  markdown,
  OutcomeTally,
  type GpuBenchReport,
  type ProviderLevel,
  type ProviderRun,
} from './report.js';

const gpus = gpuSnapshot();
const opts = parseOptions(gpus !== undefined);
const started = performance.now();
const date = new Date().toISOString();
const git = gitState(repoRoot);
// run-on-device.sh: the device's copy of the tree has no .git; the packed commit stands in.
if (git.commit === 'unknown' && process.env.SILENTID_BENCH_COMMIT !== undefined) {
  const packed = process.env.SILENTID_BENCH_COMMIT;
  Object.assign(git, { commit: packed.replace('+dirty', ''), dirty: packed.endsWith('+dirty') });
}
const log = (line: string) =>
  console.error(`[bench:gpu ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);

/** The same for every provider: only the provider and what it needs differ. */
const maxLevel = Math.max(...opts.concurrency);
const SHARED_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  MAX_CONCURRENT_REQUESTS: String(opts.maxInFlight),
  // Deep enough that no level's clients are refused: the bench measures service, not 503s.
  MAX_QUEUED_REQUESTS: String(Math.max(maxLevel, 16)),
};

/**
 * Fallback off for GPU providers, so a provider that cannot load stops start-up instead of
 * silently measuring CPU. Their frame workers run the main thread's GPU sessions, which
 * batch every request's runs (decision 0024); VISION_WORKERS from the environment, if set,
 * is passed on (0: everything on the main thread).
 */
function providerEnv(p: ExecutionProvider): Record<string, string> {
  if (p === 'cpu') return { ORT_EXECUTION_PROVIDER: 'cpu' };
  return { ORT_EXECUTION_PROVIDER: p, ORT_PROVIDER_FALLBACK: 'false' };
}

const cleanup = new Cleanup(log);
const scratch = await scratchDir('silentid-bench-gpu-');
cleanup.defer(scratch.remove);
// Dawn (WebGPU) needs a writable XDG_RUNTIME_DIR; a bare container has none.
if (process.env.XDG_RUNTIME_DIR === undefined) {
  const xdg = await mkdtemp(path.join(os.tmpdir(), 'silentid-xdg-'));
  process.env.XDG_RUNTIME_DIR = xdg;
  cleanup.defer(() => rm(xdg, { recursive: true, force: true }));
}
const idleMiB = (gpus ?? []).reduce((a, g) => a + g.memoryUsedMiB, 0);
const sampler = new GpuSampler(gpus !== undefined, idleMiB, opts.sampleMs);
cleanup.defer(async () => sampler.kill());

await guarded(cleanup, log, async () => {
  const config = loadConfig({ ...process.env, ...SHARED_ENV });
  const { clips, source } = await benchClips(opts.clips, config, scratch.dir, log);
  const runs: ProviderRun[] = [];
  let bundle = 'unknown';
  for (const provider of opts.providers)
    for (const batch of provider === 'cpu' ? (['default'] as const) : opts.batch) {
      if (cleanup.closed) return;
      const r = await providerRun(provider, batch, clips, opts);
      runs.push(r.run);
      bundle = r.bundle ?? bundle;
    }
  if (cleanup.closed) return; // interrupted: no report of a run cut short
  const decisions = checkDecisions(
    runs,
    clips.map((c) => c.spec.id),
  );
  const report: GpuBenchReport = {
    run: {
      date,
      ...git,
      bundle,
      machine: machine(),
      dataDir: source,
      card: cardName(),
      clipsSource: source,
      service:
        `compiled build (as npm start); ${opts.maxInFlight} in flight, ${SHARED_ENV.MAX_QUEUED_REQUESTS} queued; ` +
        `sampling ${config.sampling.fps} fps, ≤ ${config.sampling.maxFrames} frames, ${config.sampling.workingSide} px, ` +
        `decode timeout ${config.sampling.timeoutMs} ms; ` +
        `${config.visionWorkers} vision workers (on GPU providers they run the main thread's sessions)`,
      options: { ...opts },
      wallSeconds: Math.round((performance.now() - started) / 1000),
    },
    clips: clips.map((c) => ({
      id: c.spec.id,
      source: c.spec.source,
      ...(c.spec.note === undefined ? {} : { note: c.spec.note }),
      video: videoText({
        source: c.spec.source,
        ...(c.spec.cut === undefined ? {} : { cut: c.spec.cut }),
        video: { ...c.info, bytes: c.bytes.length },
      }),
      photo: `${c.photo} (${c.photoNote})`,
    })),
    providers: runs,
    decisions,
  };
  await writeJson(report, path.resolve(opts.out));
  console.log(markdown(report));
  log(`wrote ${opts.out}`);
  const failed = runs.filter((r) => r.error !== undefined);
  if (failed.length > 0 || !decisions.identical) {
    for (const f of failed) console.error(`FAILED ${f.provider}: ${f.error}`);
    if (!decisions.identical)
      console.error(`DECISIONS DIFFER:\n  ${decisions.problems.join('\n  ')}`);
    process.exitCode = 1;
  }
});

/** silentid_model_batch_size's sum and count per component, from /metrics. */
async function batchTotals(url: string): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const totals = new Map<string, { sum: number; count: number }>();
  const re = /^silentid_model_batch_size_(sum|count)\{[^}]*component="([^"]+)"[^}]*\} (\S+)$/gm;
  for (const [, kind, component, value] of text.matchAll(re)) {
    const t = totals.get(component!) ?? { sum: 0, count: 0 };
    t[kind as 'sum' | 'count'] = Number(value);
    totals.set(component!, t);
  }
  return totals;
}

function meanBatchSince(
  before: Map<string, { sum: number; count: number }>,
  after: Map<string, { sum: number; count: number }>,
): Record<string, number> {
  const means: Record<string, number> = {};
  for (const [component, a] of after) {
    const b = before.get(component) ?? { sum: 0, count: 0 };
    if (a.count > b.count) means[component] = (a.sum - b.sum) / (a.count - b.count);
  }
  return means;
}

/** "NVIDIA H100 80GB HBM3 (81559 MiB)", one per GPU, or why there is none. */
function cardName(): string {
  if (gpus === undefined) return `${NO_NVIDIA_SMI}; WebGPU on whatever Vulkan device Dawn picked`;
  return (
    gpus.map((g) => `${g.name} (${g.memoryTotalMiB} MiB)`).join(' + ') || 'nvidia-smi lists no GPU'
  );
}

/**
 * The provider each session actually got, from /readyz: anything other than the one asked
 * for is an error (the figures would be another provider's under this one's name).
 */
function misplaced(provider: ExecutionProvider, placements: Placements): string[] {
  const out: string[] = [];
  for (const [threads, byComponent] of Object.entries(placements))
    for (const [component, p] of Object.entries(byComponent))
      if (p.provider !== provider || p.fallback !== undefined)
        out.push(`${threads}/${component} on ${p.provider}${p.fallback ? ` (${p.fallback})` : ''}`);
  return out;
}

/** One provider: its own verifier, warm-up, every level; an error is recorded, not thrown. */
async function providerRun(
  provider: ExecutionProvider,
  batch: BatchSetting,
  clips: readonly PreparedClip[],
  o: GpuBenchOptions,
): Promise<{ run: ProviderRun; bundle?: string }> {
  const env = {
    ...providerEnv(provider),
    ...(batch === 'default' ? {} : { ORT_BATCH_MAX: String(batch) }),
  };
  const tallies = new Map(clips.map((c) => [c.spec.id as string, new OutcomeTally()]));
  const outcomes = () => Object.fromEntries([...tallies].map(([id, t]) => [id, t.outcomes()]));
  const levels: ProviderLevel[] = [];
  const warmupMs: Record<string, number[]> = {};
  log(`${provider}: starting the verifier (compiled build)`);
  const t0 = performance.now();
  // Registered before it is ready: a Ctrl-C during start-up waits for it, then stops it.
  const starting = startVerifierProcess({ ...SHARED_ENV, ...env }, 'build');
  const stop = cleanup.defer(async () => (await starting).stop());
  let svc: VerifierProcess;
  try {
    svc = await starting;
  } catch (err) {
    await stop();
    const error = err instanceof Error ? err.message : String(err);
    log(`${provider}: did not start: ${error.split('\n')[0]}`);
    return { run: { provider, env, levels, outcomes: {}, error } };
  }
  const startMs = performance.now() - t0;
  try {
    const ready = (await (await fetch(`${svc.url}/readyz`)).json()) as {
      model_version?: string;
      providers?: Placements;
      batching?: BatchingPolicy;
    };
    const placements = ready.providers ?? {};
    const wrong = misplaced(provider, placements);
    if (Object.keys(placements).length === 0) wrong.push('/readyz reports no placements');
    const base = {
      provider,
      env,
      startMs,
      placements,
      ...(ready.batching === undefined ? {} : { batching: ready.batching }),
    };
    if (wrong.length > 0) {
      const error = `not every model runs on ${provider}: ${wrong.join('; ')}`;
      if (!cleanup.closed) log(`${provider}: ${error}`);
      return { run: { ...base, levels, outcomes: {}, error }, bundle: ready.model_version };
    }
    log(`${provider}: ready in ${(startMs / 1000).toFixed(1)} s; every model on ${provider}`);
    try {
      for (const clip of clips) {
        const tally = tallies.get(clip.spec.id)!;
        if (o.warmup > 0) {
          const w = await closedLoop(svc, clip.body, 1, o.warmup, (a) => tally.add(a));
          warmupMs[clip.spec.id] = w.latenciesMs;
          log(
            `${provider} (${clip.spec.id}) warm-up: ${w.latenciesMs.map((v) => v.toFixed(0)).join(', ')} ms`,
          );
        }
        for (const c of o.concurrency) {
          if (cleanup.closed) throw new Error('interrupted');
          const end = { seconds: o.seconds, minRequests: Math.max(o.minRequests, c) };
          log(`${provider} (${clip.spec.id}) concurrency ${c}: ${o.seconds} s`);
          const batchesBefore = await batchTotals(svc.url);
          sampler.start();
          const load = await closedLoop(svc, clip.body, c, end, (a) => tally.add(a));
          const gpu = sampler.stop();
          const meanBatch = meanBatchSince(batchesBefore, await batchTotals(svc.url));
          const level: ProviderLevel = {
            ...summariseLevel(load),
            clip: clip.spec.id,
            gpu,
            meanBatch,
          };
          levels.push(level);
          log(
            `${provider} (${clip.spec.id}) c=${c}: ${level.requests} req, p50 ${level.p50Ms.toFixed(0)} ms, ${level.reqPerSecond.toFixed(2)} req/s`,
          );
        }
      }
    } catch (err) {
      sampler.kill();
      const error = err instanceof Error ? err.message : String(err);
      if (!cleanup.closed) log(`${provider}: ${error}`);
      return {
        run: { ...base, warmupMs, levels, outcomes: outcomes(), error },
        bundle: ready.model_version,
      };
    }
    return {
      run: { ...base, warmupMs, levels, outcomes: outcomes() },
      bundle: ready.model_version,
    };
  } finally {
    await stop();
  }
}
