/**
 * `npm run bench`: the real service (the compiled build, as `npm start` runs it) under
 * closed-loop load on real encrypted requests, next to what the same request costs at
 * the least (the decode and model floors, in-process) and through an open peer. Prints a
 * report; with --record appends rows to docs/benchmarks.md and writes
 * docs/bench/latest.json. Never asserted in tests: figures depend on the machine.
 *
 *   npm run bench [-- --requests 30 --concurrency 1,2,4,8 --clips a,b,c --record]
 *   npm run bench -- --help
 *
 * Phases run one after another so that none measures while another computes: the HTTP
 * load (this process only sends), then the floors, then the peer.
 */
import path from 'node:path';
import { loadConfig, type Config } from '../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../services/verifier/src/models/bundle-manifest.js';
import { loadFaceModels } from '../../services/verifier/src/vision/face-models.js';
import { loadHuman, type HumanPeer } from '../eval/peers/human.js';
import { gitState, machine } from '../eval/report.js';
import { corpusPresent, dataDir } from '../support/corpus.js';
import { scratchDir } from '../support/media-tools.js';
import {
  repoRoot,
  startVerifierProcess,
  type VerifierProcess,
} from '../support/verifier-process.js';
import { levelsFor, parseOptions, requestsAt, type BenchOptions } from './args.js';
import { Cleanup, guarded } from './cleanup.js';
import { CLIPS, prepareClip, type PreparedClip } from './clips.js';
import { measureFloors, type Decoded, type Floors } from './floors.js';
import { closedLoop, type LoadResult } from './load.js';
import { measurePeer, type PeerResult } from './peer.js';
import { recordMarkdown, writeJson } from './record.js';
import { renderText, summariseClip, type BenchReport } from './report.js';

/** Settings the bench gives the service beyond the environment: deep enough a queue for concurrency 8. */
const SERVICE_ENV = { LOG_LEVEL: 'warn', MAX_QUEUED_REQUESTS: '64' };

const opts = parseOptions();
if (!corpusPresent) {
  console.error(`corpus absent at ${dataDir}; set SILENTID_DATA_DIR`);
  process.exit(2);
}
const started = performance.now();
const date = new Date().toISOString();
const git = gitState(repoRoot);
// The service runs with this process's environment plus SERVICE_ENV: the same config.
const config = loadConfig({ ...process.env, ...SERVICE_ENV });
const log = (line: string) =>
  console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);

const cleanup = new Cleanup(log);
await guarded(cleanup, log, async () => {
  const scratch = await scratchDir('silentid-bench-');
  cleanup.defer(scratch.remove);
  const clips: PreparedClip[] = [];
  for (const id of opts.clips) clips.push(await prepareClip(CLIPS[id], config, scratch.dir));

  const { loads, bundle } = await httpPhase(clips, opts);
  const { floors, decoded } = await floorPhase(clips, config, opts, scratch.dir);
  const peers = await peerPhase(clips, decoded, opts);

  const report: BenchReport = {
    run: {
      date,
      ...git,
      bundle,
      machine: machine(),
      dataDir,
      service: serviceSettings(config),
      options: { ...opts },
      wallSeconds: Math.round((performance.now() - started) / 1000),
    },
    clips: clips.map((c, i) =>
      summariseClip(c, decoded[i]!.photo, loads[i]!, floors[i]!, peers[i]!),
    ),
  };
  console.log(renderText(report));
  if (opts.out !== undefined) {
    await writeJson(report, path.resolve(opts.out));
    log(`wrote ${opts.out}`);
  }
  if (opts.record) {
    await writeJson(report, path.join(repoRoot, 'docs/bench/latest.json'));
    await recordMarkdown(report, path.join(repoRoot, 'docs/benchmarks.md'));
    log('recorded in docs/benchmarks.md and docs/bench/latest.json');
  }
});

/** Every clip's levels against one service; the bundle id is the one the service reports. */
async function httpPhase(
  clips: readonly PreparedClip[],
  o: BenchOptions,
): Promise<{ loads: LoadResult[][]; bundle: string }> {
  log('starting the service (compiled build)');
  // Registered before it is ready: a Ctrl-C during start-up waits for it, then stops it.
  const starting = startVerifierProcess(SERVICE_ENV, 'build');
  const stop = cleanup.defer(async () => (await starting).stop());
  const svc: VerifierProcess = await starting;
  try {
    const ready = (await (await fetch(`${svc.url}/readyz`)).json()) as { model_version?: string };
    const loads: LoadResult[][] = [];
    for (const clip of clips) {
      if (o.warmup > 0) await closedLoop(svc, clip.body, 1, o.warmup);
      const perLevel: LoadResult[] = [];
      for (const c of levelsFor(clip.spec.id, o)) {
        log(`(${clip.spec.id}) concurrency ${c}: ${requestsAt(c, o)} requests`);
        perLevel.push(await closedLoop(svc, clip.body, c, requestsAt(c, o)));
      }
      loads.push(perLevel);
    }
    return { loads, bundle: ready.model_version ?? 'unknown' };
  } finally {
    await stop();
  }
}

/** Both floors per clip with the service's models and config; models released at the end. */
async function floorPhase(
  clips: readonly PreparedClip[],
  cfg: Config,
  o: BenchOptions,
  scratchFolder: string,
): Promise<{ floors: Floors[]; decoded: Decoded[] }> {
  log('floors: loading the models in-process');
  // loadVideo writes each clip to a temp folder under os.tmpdir(), which follows TMPDIR:
  // inside the scratch folder, a decode cut short by Ctrl-C leaves nothing behind.
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = scratchFolder;
  const models = await loadFaceModels(await loadBundleManifest(cfg.modelBundleDir), cfg.runtime);
  const release = cleanup.defer(() => models.release());
  try {
    const floors: Floors[] = [];
    const decoded: Decoded[] = [];
    for (const clip of clips) {
      log(`(${clip.spec.id}) floors: ${o.floorRuns} runs each`);
      const r = await measureFloors(models, cfg, clip, o.floorRuns);
      floors.push(r.floors);
      decoded.push(r.decoded);
    }
    return { floors, decoded };
  } finally {
    await release();
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
}

/** The peer on each clip's decoded frames; a peer that cannot load is reported, not fatal. */
async function peerPhase(
  clips: readonly PreparedClip[],
  decoded: readonly Decoded[],
  o: BenchOptions,
): Promise<(PeerResult | { unavailable: string })[]> {
  if (o.peerRuns === 0) return decoded.map(() => ({ unavailable: 'not run (--no-peer)' }));
  log('peer: loading @vladmandic/human (TF.js wasm)');
  let peer: HumanPeer;
  try {
    peer = await loadHuman();
  } catch (err) {
    const unavailable = err instanceof Error ? err.message : String(err);
    log(`peer unavailable: ${unavailable}`);
    return decoded.map(() => ({ unavailable }));
  }
  const out: PeerResult[] = [];
  for (const [i, d] of decoded.entries()) {
    log(`(${clips[i]!.spec.id}) peer: ${o.peerRuns} runs`);
    out.push(await measurePeer(peer, d, o.peerRuns));
  }
  return out;
}

/** The settings that shape the figures, from the same config the service parsed. */
function serviceSettings(cfg: Config): string {
  const s = cfg.sampling;
  const window = (s.maxFrames / s.fps).toFixed(1);
  const workers =
    cfg.visionWorkers === 0
      ? 'frames on the main thread'
      : `${cfg.visionWorkers} vision worker threads`;
  return (
    `compiled build (as npm start); sampling ${s.fps} fps, ≤ ${s.maxFrames} frames (the first ${window} s), ${s.workingSide} px; ` +
    `ORT ${cfg.runtime.executionProvider}, ${cfg.runtime.intraOpThreads} intra-op thread(s), ${workers}; ` +
    `${cfg.concurrency.maxInFlight} in flight, ${cfg.concurrency.maxQueued} queued`
  );
}
